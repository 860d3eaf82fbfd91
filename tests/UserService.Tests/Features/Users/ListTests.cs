using System.Net.Http.Json;
using System.Net;
using Dapper;
using UserService.Features.Users.List;

namespace UserService.Tests.Features.Users;

public sealed class ListTests(App app)
{
    static string Tag() => $"tag{Guid.NewGuid():N}"[..20];

    /// <summary>Seeds rows straight into PostgreSQL (no hashing), returning ids in the service's order.</summary>
    async Task<List<Guid>> SeedAsync(string tag, int count)
    {
        var ids = Enumerable.Range(0, count).Select(_ => Guid.CreateVersion7()).OrderBy(id => id.ToString(), StringComparer.Ordinal).ToList();
        await using var connection = await app.Db.OpenConnectionAsync();
        await connection.ExecuteAsync(
            "INSERT INTO users (id, email, password_hash, full_name) SELECT id, 'seed-' || id || '@example.com', 'x', @name FROM unnest(@ids) AS id",
            new { ids = ids.ToArray(), name = $"Seeded {tag}" });
        return ids;
    }

    [Fact]
    public async Task Pages_walk_every_match_in_creation_order_with_cursor_and_link()
    {
        var tag = Tag();
        var created = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            created.Add((await app.CreateAsync(fullName: $"Walker {i} {tag}")).User.Id);
        }

        var seen = new List<Guid>();
        Request? req = new() { Limit = 2, Q = tag };
        var pages = 0;
        while (req is not null)
        {
            var (rsp, page) = await app.Client.GETAsync<Endpoint, Request, Response>(req);
            Assert.Equal(HttpStatusCode.OK, rsp.StatusCode);
            pages++;
            seen.AddRange(page.Items.Select(u => u.Id));
            if (page.NextCursor is null)
            {
                Assert.False(rsp.Headers.Contains("Link"));
                req = null;
            }
            else
            {
                var link = Assert.Single(rsp.Headers.GetValues("Link"));
                Assert.Equal($"</api/users?limit=2&cursor={page.NextCursor}&q={tag}>; rel=\"next\"", link);
                req = req with { Cursor = page.NextCursor };
            }
        }

        Assert.Equal(3, pages);
        Assert.Equal(created, seen);
    }

    [Fact]
    public async Task Following_the_link_header_gives_the_next_page()
    {
        var tag = Tag();
        var ids = await SeedAsync(tag, 3);

        var first = await app.Client.GetAsync($"/api/users?limit=2&q={tag}");
        var link = Assert.Single(first.Headers.GetValues("Link"));
        var next = await app.Client.GetFromJsonAsync<Response>(link[1..link.IndexOf('>', StringComparison.Ordinal)]);

        Assert.Equal([ids[2]], next!.Items.Select(u => u.Id));
        Assert.Null(next.NextCursor);
    }

    [Fact]
    public async Task Limit_defaults_to_50_and_allows_up_to_200()
    {
        var tag = Tag();
        var ids = await SeedAsync(tag, 201);

        var (_, byDefault) = await app.Client.GETAsync<Endpoint, Request, Response>(new() { Q = tag });
        var (_, largest) = await app.Client.GETAsync<Endpoint, Request, Response>(new() { Q = tag, Limit = 200 });
        var (_, rest) = await app.Client.GETAsync<Endpoint, Request, Response>(new() { Q = tag, Limit = 200, Cursor = largest.NextCursor });

        Assert.Equal(ids[..50], byDefault.Items.Select(u => u.Id));
        Assert.NotNull(byDefault.NextCursor);
        Assert.Equal(ids[..200], largest.Items.Select(u => u.Id));
        Assert.Equal([ids[200]], rest.Items.Select(u => u.Id));
        Assert.Null(rest.NextCursor);
    }

    [Fact]
    public async Task Q_matches_email_or_full_name_case_insensitively_and_literally()
    {
        var tag = Tag();
        var (byEmail, _) = await app.CreateAsync(email: $"{tag.ToUpperInvariant()}-{Guid.NewGuid():N}@example.com", fullName: "Nobody");
        var (byName, _) = await app.CreateAsync(fullName: $"Ada {tag.ToUpperInvariant()} Lovelace");

        var (_, found) = await app.Client.GETAsync<Endpoint, Request, Response>(new() { Q = $"  {tag}  " });
        var (_, wildcard) = await app.Client.GETAsync<Endpoint, Request, Response>(new() { Q = $"{tag}%_" });

        Assert.Equal([byEmail.Id, byName.Id], found.Items.Select(u => u.Id).Order());
        Assert.Empty(wildcard.Items);
    }

    [Fact]
    public async Task Q_typed_in_another_spelling_of_the_stored_email_or_name_finds_it()
    {
        var tag = Tag();
        var (zoe, _) = await app.CreateAsync(email: $"zoë.{tag}@exämple.com", fullName: $"Zoë {tag} Ñúñez");

        // Decomposed accents, an xn-- domain, fullwidth letters, upper case: each is a spelling of what is stored.
        string[] terms = [$"ZOE\u0308.{tag}@xn--exmple-cua.com", $"zoë.{tag}@EXA\u0308MPLE.COM", $"\uFF3A\uFF2F\u00CB.{tag}", $"Zoe\u0308 {tag} N\u0303"];
        foreach (var q in terms)
        {
            var (rsp, found) = await app.Client.GETAsync<Endpoint, Request, Response>(new() { Q = q });
            Assert.Equal(HttpStatusCode.OK, rsp.StatusCode);
            Assert.Equal([zoe.Id], found.Items.Select(u => u.Id));
        }
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=201", "limit")]
    [InlineData("limit=-5", "limit")]
    [InlineData("limit=abc", "limit")]
    [InlineData("limit=99999999999", "limit")]
    [InlineData("cursor=garbage", "cursor")]
    [InlineData("cursor=", "cursor")]
    [InlineData("cursor=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "cursor")]
    [InlineData("q=%00", "q")]
    [InlineData("q=ada%EF%BF%BE", "q")]
    [InlineData("q=ada%E2%80%8Blovelace", "q")]
    [InlineData("q=%CD%B8", "q")]
    public async Task Bad_query_returns_400_naming_the_parameter(string query, string field)
    {
        var rsp = await app.Client.GetAsync($"/api/users?{query}");

        await rsp.AssertProblemAsync(HttpStatusCode.BadRequest, field);
    }

    [Fact]
    public async Task Tampered_cursor_returns_400()
    {
        var tag = Tag();
        await SeedAsync(tag, 2);
        var (_, page) = await app.Client.GETAsync<Endpoint, Request, Response>(new() { Q = tag, Limit = 1 });
        var cursor = page.NextCursor!;
        var tampered = cursor[..5] + (cursor[5] == 'A' ? 'B' : 'A') + cursor[6..];

        var rsp = await app.Client.GetAsync($"/api/users?cursor={tampered}");

        await rsp.AssertProblemAsync(HttpStatusCode.BadRequest, "cursor");
    }

    [Theory]
    [InlineData("UserService/List/Cursor/v1")]
    [InlineData(Identity.SigningKey)]
    [InlineData("")]
    public async Task A_cursor_forged_with_a_key_from_the_source_or_the_signing_key_itself_returns_400(string key)
    {
        // The MAC key used to be the constant "UserService/List/Cursor/v1": anyone with the source could mint cursors.
        var tag = Tag();
        var ids = await SeedAsync(tag, 3);
        Span<byte> buffer = stackalloc byte[24];
        ids[0].TryWriteBytes(buffer[..16], bigEndian: true, out _);
        System.Security.Cryptography.HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key), buffer[..16])[..8].CopyTo(buffer[16..]);
        var forged = System.Buffers.Text.Base64Url.EncodeToString(buffer);

        var rsp = await app.Client.GetAsync($"/api/users?q={tag}&cursor={forged}");

        await rsp.AssertProblemAsync(HttpStatusCode.BadRequest, "cursor");
    }

    [Fact]
    public async Task Plain_user_gets_403_and_anonymous_gets_401()
    {
        var (_, client) = await app.NewUserAsync();

        await (await client.GetAsync("/api/users")).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await app.Anonymous.GetAsync("/api/users")).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }
}
