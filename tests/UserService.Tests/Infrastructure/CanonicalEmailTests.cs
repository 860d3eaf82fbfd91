using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Dapper;
using UserService.Features.Users;

namespace UserService.Tests.Infrastructure;

/// <summary>
/// One person, one spelling: every path that stores, compares or throttles an email (sign-up, sign-in and its limit,
/// PATCH) agrees on one canonical form, and spellings a reader cannot tell apart are either that form or refused.
/// </summary>
public sealed class CanonicalEmailTests(App app)
{
    static string Tag() => Guid.NewGuid().ToString("N")[..12];

    /// <summary>Spellings of <c>alice-{tag}@example.com</c> (or the stated one) that must reach the very same account.</summary>
    public static TheoryData<string, string> SameAccount => new()
    {
        { "alice-{tag}@example.com", "ALICE-{tag}@EXAMPLE.COM" },
        { "alice-{tag}@example.com", "al\u0130ce-{tag}@example.com" },
        { "alice-{tag}@example.com", "\uff41lice-{tag}@example.com" },
        { "alice-{tag}@example.com", "alice-{tag}@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com" },
        { "alice-{tag}@example.com", "alice-{tag}\uff20example.com" },
        { "alice-{tag}@example.com", "  alice-{tag}@example.com\t" },
        { "jos\u00e9-{tag}@example.com", "jose\u0301-{tag}@example.com" },
        { "alice-{tag}@ex\u00e4mple.com", "alice-{tag}@xn--exmple-cua.com" },
        { "alice-{tag}@ex\u00e4mple.com", "alice-{tag}@EXA\u0308MPLE.COM" },
    };

    /// <summary>Spellings that a person cannot tell from a plain address, or that are not a mailbox at all: 400 naming email.</summary>
    public static TheoryData<string> Refused => new()
    {
        "alice\u200b-{tag}@example.com",
        "alice\u00ad-{tag}@example.com",
        "\ufeffalice-{tag}@example.com",
        "alice-{tag}@example.com\u202e",
        "alice\u2060-{tag}@example.com",
        "alice\u200d-{tag}@example.com",
        "alice\U000E0041-{tag}@example.com",
        "alice\u00a0-{tag}@example.com",
        "alice\u3000-{tag}@example.com",
        "alice\u0000-{tag}@example.com",
        "alice\u001b-{tag}@example.com",
        "alice\u2028-{tag}@example.com",
        "alice\ue000-{tag}@example.com",
        "\u0430lice-{tag}@example.com",
        "alice-{tag}@ex\u0430mple.com",
        "\u03bfmega-{tag}@example.com",
        "\"alice-{tag}\"@example.com",
        "\"alice {tag}\"@example.com",
        "alice-{tag}@[127.0.0.1]",
        "alice-{tag}@[IPv6:::1]",
        "alice-{tag}@127.0.0.1",
        "alice-{tag}.@example.com",
        ".alice-{tag}@example.com",
        "alice..{tag}@example.com",
        "alice-{tag}@localhost",
        "alice-{tag}@ex_ample.com",
        "alice-{tag}@-example.com",
        "alice-{tag}@\U0001F600.com",
        "alice\U0001F600-{tag}@example.com",
        "alice-{tag}@@example.com",
        "alice-{tag}@example..com",
    };

    static string Fill(string template, string tag) => template.Replace("{tag}", tag, StringComparison.Ordinal);

    [Theory, MemberData(nameof(SameAccount))]
    public async Task Another_spelling_of_a_taken_email_is_409_and_signs_in_to_the_same_account(string original, string variant)
    {
        var tag = Tag();
        var (user, _) = await app.CreateAsync(Fill(original, tag));

        var rsp = await app.Anonymous.PostAsJsonAsync("/api/users", new { email = Fill(variant, tag), password = TestUsers.Password, fullName = "Twin" });

        await rsp.AssertProblemAsync(HttpStatusCode.Conflict, "email");
        Assert.Equal(1, await CountLikeAsync(tag));
        var token = await Identity.SignInAsync(app.Anonymous, Fill(variant, tag));
        var me = await app.CreateClient().WithToken(token).GetFromJsonAsync<UserResponse>("/api/users/me");
        Assert.Equal(user.Id, me!.Id);
    }

    [Theory, MemberData(nameof(SameAccount))]
    public async Task Every_spelling_is_stored_and_answered_in_the_one_canonical_form(string original, string variant)
    {
        var tag = Tag();
        var (user, _) = await app.CreateAsync(Fill(variant, tag));

        var canonical = Fill(original, tag).Trim().ToLowerInvariant().Normalize();
        Assert.Equal(canonical, user.Email);
        Assert.Equal(canonical, (await app.RowAsync(user.Id))!.Email);
    }

    [Theory, MemberData(nameof(Refused))]
    public async Task A_look_alike_or_non_mailbox_email_is_refused_with_400_naming_email_everywhere(string template)
    {
        var tag = Tag();
        var email = Fill(template, tag);

        var create = await app.Anonymous.PostAsJsonAsync("/api/users", new { email, password = TestUsers.Password, fullName = "Look Alike" });
        await create.AssertProblemAsync(HttpStatusCode.BadRequest, "email");

        var (user, _) = await app.CreateAsync(fullName: "Renamer");
        var patch = await app.Client.PatchAsJsonAsync($"/api/users/{user.Id}", new { email });
        await patch.AssertProblemAsync(HttpStatusCode.BadRequest, "email");
        Assert.Equal(1L, (await app.RowAsync(user.Id))!.Version);

        var signIn = await app.Anonymous.PostAsJsonAsync("/api/auth/token", new { email, password = TestUsers.Password });
        await signIn.AssertProblemAsync(HttpStatusCode.BadRequest, "email");
        Assert.Equal(0, await CountLikeAsync(tag));
    }

    [Fact]
    public async Task A_punycode_label_that_hides_mixed_scripts_is_refused_too()
    {
        var tag = Tag();
        var email = $"alice-{tag}@{new IdnMapping().GetAscii("ex\u0430mple.com")}";
        Assert.StartsWith("xn--", email.Split('@')[1], StringComparison.Ordinal);

        var rsp = await app.Anonymous.PostAsJsonAsync("/api/users", new { email, password = TestUsers.Password, fullName = "Punycode" });

        await rsp.AssertProblemAsync(HttpStatusCode.BadRequest, "email");
    }

    [Fact]
    public async Task A_user_cannot_rename_themself_to_a_spelling_of_the_admins_email()
    {
        var tag = Tag();
        var (admin, _) = await app.CreateAsync($"admin-{tag}@example.com");
        var (user, client) = await app.NewUserAsync();

        foreach (var (email, status) in new[]
        {
            ($"admin-{tag}\u200b@example.com", HttpStatusCode.BadRequest),
            ($"\u0430dmin-{tag}@example.com", HttpStatusCode.BadRequest),
            ($"\uff41dmin-{tag}@example.com", HttpStatusCode.Conflict),
            ($"ADM\u0130N-{tag}@example.com", HttpStatusCode.Conflict),
        })
        {
            var rsp = await client.PatchAsJsonAsync($"/api/users/{user.Id}", new { email });
            await rsp.AssertProblemAsync(status, "email");
        }

        Assert.Equal(1L, (await app.RowAsync(user.Id))!.Version);
        Assert.Equal(1, await CountLikeAsync(tag));
        Assert.NotEqual(admin.Id, user.Id);
    }

    [Fact]
    public async Task The_per_account_sign_in_limit_holds_across_spellings()
    {
        var tag = Tag();
        var email = $"alice-{tag}@example.com";
        await app.CreateAsync(email);
        string[] spellings = [email, $"al\u0130ce-{tag}@example.com", $"ALICE-{tag}@EXAMPLE.COM", $"\uff41lice-{tag}@example.com", $"alice-{tag}\uff20example.com"];

        var statuses = new List<HttpStatusCode>();
        foreach (var spelling in spellings)
        {
            statuses.Add((await app.Anonymous.PostAsJsonAsync("/api/auth/token", new { email = spelling, password = "a wrong guess here" })).StatusCode);
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, 5), statuses);
        foreach (var spelling in spellings)
        {
            var rsp = await app.Anonymous.PostAsJsonAsync("/api/auth/token", new { email = spelling, password = TestUsers.Password });
            await rsp.AssertProblemAsync(HttpStatusCode.TooManyRequests);
            Assert.NotNull(rsp.Headers.RetryAfter?.Delta);
        }
    }

    [Theory]
    [InlineData("Ada\u202eecalevoL")]
    [InlineData("Ada\u200bLovelace")]
    [InlineData("\u2066Ada\u2069")]
    [InlineData("Ada\u00adLovelace")]
    [InlineData("\ufeffAda")]
    [InlineData("Ada\u200dLovelace")]
    [InlineData("Ada\u061cLovelace")]
    [InlineData("Ada\ufffe")]
    [InlineData("Ada\uffff")]
    [InlineData("Ada\U0010FFFF")]
    [InlineData("Ada\u0378")]
    public async Task A_full_name_with_bidi_overrides_or_zero_width_characters_is_refused(string fullName)
    {
        var email = TestUsers.UniqueEmail("bidi");
        var create = await app.Anonymous.PostAsJsonAsync("/api/users", new { email, password = TestUsers.Password, fullName });
        await create.AssertProblemAsync(HttpStatusCode.BadRequest, "fullName");
        Assert.Equal(0, await app.CountByEmailAsync(email));

        var (user, _) = await app.CreateAsync(fullName: "Plain Name");
        var patch = await app.Client.PatchAsJsonAsync($"/api/users/{user.Id}", new { fullName });
        await patch.AssertProblemAsync(HttpStatusCode.BadRequest, "fullName");
        Assert.Equal(("Plain Name", 1L), ((await app.RowAsync(user.Id))!.FullName, (await app.RowAsync(user.Id))!.Version));
    }

    [Fact]
    public async Task A_full_name_is_stored_composed_whatever_form_it_came_in()
    {
        var (user, _) = await app.CreateAsync(fullName: "Jose\u0301 Zoe\u0308");

        Assert.Equal("Jos\u00e9 Zo\u00eb", user.FullName);
        Assert.Equal("Jos\u00e9 Zo\u00eb", (await app.RowAsync(user.Id))!.FullName);
    }

    /// <summary>Rows whose email carries the tag in any spelling the database could hold.</summary>
    async Task<long> CountLikeAsync(string tag)
    {
        await using var connection = await app.Db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM users WHERE email LIKE @pattern", new { pattern = $"%{tag}%" });
    }
}
