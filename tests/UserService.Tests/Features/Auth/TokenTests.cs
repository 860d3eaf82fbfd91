using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using UserService.Features.Auth;
using UserService.Features.Auth.Token;
using UserService.Features.Users;

namespace UserService.Tests.Features.Auth;

public sealed class TokenTests(App app)
{
    [Fact]
    public async Task Right_credentials_give_a_bearer_token_that_works()
    {
        var email = TestUsers.UniqueEmail();
        var (user, _) = await app.CreateAsync(email);

        var (rsp, token) = await app.Anonymous.POSTAsync<Endpoint, Request, TokenResponse>(new() { Email = $" {email.ToUpperInvariant()} ", Password = TestUsers.Password });

        Assert.Equal(HttpStatusCode.OK, rsp.StatusCode);
        Assert.Equal("Bearer", token.TokenType);
        Assert.Equal((int)App.TokenLifetime.TotalSeconds, token.ExpiresIn);
        Assert.DoesNotContain(TestUsers.Password, await rsp.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var me = await app.CreateClient().WithToken(token.AccessToken).GetFromJsonAsync<UserResponse>("/api/users/me");
        Assert.Equal(user.Id, me!.Id);
    }

    [Fact]
    public async Task Wrong_password_and_unknown_email_get_the_same_401()
    {
        var email = TestUsers.UniqueEmail();
        await app.CreateAsync(email);

        var wrongPassword = await app.Anonymous.PostAsJsonAsync("/api/auth/token", new { email, password = "not the password at all" });
        var unknownEmail = await app.Anonymous.PostAsJsonAsync("/api/auth/token", new { email = TestUsers.UniqueEmail(), password = TestUsers.Password });

        var first = await wrongPassword.AssertProblemAsync(HttpStatusCode.Unauthorized);
        var second = await unknownEmail.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(Comparable(first), Comparable(second));
        Assert.Equal(wrongPassword.Headers.Select(h => h.Key).Order(), unknownEmail.Headers.Select(h => h.Key).Order());
    }

    static string Comparable(JsonElement problem) =>
        string.Join("|", problem.EnumerateObject().Where(p => p.Name != "traceId").Select(p => $"{p.Name}={p.Value}"));

    [Fact]
    public async Task A_weaker_hash_is_upgraded_on_a_successful_sign_in()
    {
        var email = TestUsers.UniqueEmail("legacy");
        var weak = new PasswordHasher<object>(Options.Create(new PasswordHasherOptions { IterationCount = 10_000 })).HashPassword(new(), TestUsers.Password);
        await using (var connection = await app.Db.OpenConnectionAsync())
        {
            await connection.ExecuteAsync(
                "INSERT INTO users (id, email, password_hash, full_name) VALUES (@id, @email, @weak, 'Legacy')",
                new { id = Guid.CreateVersion7(), email, weak });
        }

        await Identity.SignInAsync(app.Anonymous, email);

        await using var check = await app.Db.OpenConnectionAsync();
        var hash = await check.ExecuteScalarAsync<string>("SELECT password_hash FROM users WHERE email = @email", new { email });
        Assert.NotEqual(weak, hash);
        Assert.Matches(TestUsers.Argon2idHash(), hash);
        await Identity.SignInAsync(app.Anonymous, email);
    }

    [Fact]
    public async Task Repeated_attempts_on_one_account_are_throttled_with_429_and_retry_after_whatever_the_spelling()
    {
        var local = $"zoë.{Guid.NewGuid():N}";
        var (user, _) = await app.CreateAsync($"{local}@exämple.com");
        // Case, decomposed accents, an xn-- domain, padding, fullwidth letters: every spelling of one address counts
        // against one account.
        string[] spellings = [user.Email, user.Email.ToUpperInvariant(), $"{local.Replace("ë", "e\u0308")}@exa\u0308mple.com",
            $"{local}@xn--exmple-cua.com", $"  {user.Email}\t", $"\uFF5A\uFF4F{local[2..]}@exämple.com"];

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage last = null!;
        for (var i = 0; i < 6; i++)
        {
            last = await app.Anonymous.PostAsJsonAsync("/api/auth/token", new { email = spellings[i], password = $"wrong guess number {i}" });
            statuses.Add(last.StatusCode);
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, 5), statuses.Take(5));
        await last.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.InRange(last.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);

        // Even the right password waits: the limit is per account, not per wrong guess.
        var right = await app.Anonymous.PostAsJsonAsync("/api/auth/token", new { email = spellings[2], password = TestUsers.Password });
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        Assert.Equal(new Throttles.Window(7, true), await Throttles.WindowAsync(app.Db, Throttles.Account(user.Email)));
    }

    [Theory]
    [InlineData("""{"password":"correct horse battery staple"}""", "email")]
    [InlineData("""{"email":"a@example.com"}""", "password")]
    [InlineData("""{"email":"a@example.com","password":"x","role":"admin"}""", "role")]
    public async Task Malformed_sign_in_returns_400(string json, string field)
    {
        var rsp = await app.Anonymous.PostAsync("/api/auth/token", Json.Body(json));

        await rsp.AssertProblemAsync(HttpStatusCode.BadRequest, field);
    }

    [Fact]
    public async Task Non_json_sign_in_returns_415()
    {
        var rsp = await app.Anonymous.PostAsync("/api/auth/token", Json.Body("email=a&password=b", "application/x-www-form-urlencoded"));

        await rsp.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }
}
