using System.Net;
using System.Security.Cryptography;
using System.Text;
using UserService.Features.Auth;
using UserService.Features.Auth.Refresh;
using Token = UserService.Features.Auth.Token;

namespace UserService.Tests.Features.Auth;

public sealed class RefreshTests(App app)
{
    [Fact]
    public async Task Sign_in_answers_a_refresh_token_of_256_bits_never_stored_and_stores_only_its_hash()
    {
        var (user, _) = await app.CreateAsync();

        var rsp = await app.Anonymous.PostAsync("/api/auth/token", Json.Of(new Token.Request { Email = user.Email, Password = TestUsers.Password }));
        var tokens = await rsp.ReadTokensAsync();

        Assert.Equal("no-store", rsp.Headers.CacheControl?.ToString());
        Assert.Equal("Bearer", tokens.TokenType);
        Assert.Equal((int)App.TokenLifetime.TotalSeconds, tokens.ExpiresIn);
        Assert.InRange(tokens.RefreshExpiresIn, (int)TimeSpan.FromDays(14).TotalSeconds - 60, (int)TimeSpan.FromDays(14).TotalSeconds);
        Assert.True(Convert.FromBase64String(Base64(tokens.RefreshToken)).Length >= 32, tokens.RefreshToken);
        var session = Assert.Single(await app.SessionsAsync(user.Id));
        Assert.Equal(1, session.Generation);
        await using var connection = await app.Db.OpenConnectionAsync();
        var stored = await Dapper.SqlMapper.ExecuteScalarAsync<byte[]>(connection, "SELECT token_hash FROM refresh_tokens WHERE session_id = @id", new { id = session.Id });
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(tokens.RefreshToken)), stored);
    }

    [Fact]
    public async Task Refresh_rotates_the_new_tokens_work_and_the_old_refresh_token_is_spent()
    {
        var (user, _) = await app.CreateAsync();
        var first = await Identity.StartSessionAsync(app.Anonymous, user.Email);

        var (rsp, second) = await app.Anonymous.POSTAsync<Endpoint, Request, TokenResponse>(new() { RefreshToken = first.RefreshToken });

        Assert.Equal(HttpStatusCode.OK, rsp.StatusCode);
        Assert.Equal("no-store", rsp.Headers.CacheControl?.ToString());
        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
        Assert.NotEqual(first.AccessToken, second.AccessToken);
        Assert.Equal(("Bearer", (int)App.TokenLifetime.TotalSeconds), (second.TokenType, second.ExpiresIn));
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().WithToken(second.AccessToken).GetAsync("/api/users/me")).StatusCode);
        var session = Assert.Single(await app.SessionsAsync(user.Id));
        Assert.Equal(2, session.Generation);
        Assert.True(session.LastUsedAt > session.CreatedAt);
        Assert.Equal(2, await app.TokenHashCountAsync(session.Id));

        // The next refresh uses the newest token and works again.
        var third = await (await app.Anonymous.RefreshAsync(second.RefreshToken)).ReadTokensAsync();
        Assert.Equal(3, Assert.Single(await app.SessionsAsync(user.Id)).Generation);
        Assert.NotEqual(second.RefreshToken, third.RefreshToken);
    }

    [Fact]
    public async Task Reusing_a_spent_refresh_token_is_401_and_ends_the_session_so_its_latest_token_fails_too()
    {
        var (user, _) = await app.CreateAsync();
        var stolen = await Identity.StartSessionAsync(app.Anonymous, user.Email);
        var latest = await (await app.Anonymous.RefreshAsync(stolen.RefreshToken)).ReadTokensAsync();
        var other = await Identity.StartSessionAsync(app.Anonymous, user.Email);

        var reuse = await app.Anonymous.RefreshAsync(stolen.RefreshToken);

        await reuse.AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await app.Anonymous.RefreshAsync(latest.RefreshToken)).AssertProblemAsync(HttpStatusCode.Unauthorized);
        // Only that session ended: the user's other session (another device) goes on.
        var left = Assert.Single(await app.SessionsAsync(user.Id));
        Assert.Equal(1, left.Generation);
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous.RefreshAsync(other.RefreshToken)).StatusCode);
    }

    [Fact]
    public async Task Two_refreshes_racing_with_one_token_exactly_one_succeeds()
    {
        for (var round = 0; round < 5; round++)
        {
            var (user, _) = await app.CreateAsync();
            var tokens = await Identity.StartSessionAsync(app.Anonymous, user.Email);

            var answers = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => app.CreateClient().RefreshAsync(tokens.RefreshToken)));

            var statuses = answers.Select(a => (int)a.StatusCode).Order().ToArray();
            Assert.Equal([200, 401], statuses);
            // The loser presented a token that had just been spent: reuse, so the session ends (RFC 9700, 4.14.2).
            Assert.Empty(await app.SessionsAsync(user.Id));
        }
    }

    [Fact]
    public async Task Unknown_malformed_spent_and_revoked_refresh_tokens_all_get_the_same_401()
    {
        var (user, client) = await app.NewUserAsync();
        var spent = await Identity.StartSessionAsync(app.Anonymous, user.Email);
        await (await app.Anonymous.RefreshAsync(spent.RefreshToken)).ReadTokensAsync();
        var revoked = await Identity.StartSessionAsync(app.Anonymous, user.Email);
        Assert.Equal(HttpStatusCode.NoContent, (await app.Anonymous.LogoutAsync(revoked.RefreshToken)).StatusCode);

        var answers = new List<HttpResponseMessage>();
        foreach (var token in new[] { Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), "", "not a token", "\u0000\u202e", new string('x', 20_000), spent.RefreshToken, revoked.RefreshToken })
        {
            answers.Add(await app.Anonymous.RefreshAsync(token));
        }

        var bodies = new List<string>();
        foreach (var answer in answers)
        {
            bodies.Add(SessionRows.Comparable(await answer.AssertProblemAsync(HttpStatusCode.Unauthorized)));
            Assert.Equal("no-store", answer.Headers.CacheControl?.ToString());
        }

        Assert.Single(bodies.Distinct());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/users/me")).StatusCode);
    }

    [Theory]
    [InlineData("{}", "refreshToken")]
    [InlineData("""{"refreshToken":null}""", "refreshToken")]
    [InlineData("""{"refreshToken":7}""", "refreshToken")]
    [InlineData("""{"refreshToken":"x","sessionId":"y"}""", "sessionId")]
    public async Task A_body_without_a_refresh_token_string_is_a_400_naming_it(string json, string field)
    {
        var rsp = await app.Anonymous.PostAsync("/api/auth/refresh", Json.Body(json));

        await rsp.AssertProblemAsync(HttpStatusCode.BadRequest, field);
    }

    static string Base64(string base64Url) =>
        base64Url.Replace('-', '+').Replace('_', '/') + new string('=', (4 - base64Url.Length % 4) % 4);
}
