using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Dapper;
using Npgsql;
using UserService.Features.Auth;
using UserService.Features.Users;

namespace UserService.Tests.Support;

/// <summary>Signing in as a fresh user or admin, for every test that needs a caller.</summary>
public static class Identity
{
    /// <summary>The key every test host and test process signs with; tests forge tokens with it too.</summary>
    public const string SigningKey = "tests-only-signing-key-0123456789-abcdefghij";

    internal static async Task<string> SignInAsync(HttpClient client, string email, string password = TestUsers.Password) =>
        (await StartSessionAsync(client, email, password)).AccessToken;

    /// <summary>Signs in and returns the whole answer: the access token and the new session's refresh token.</summary>
    internal static async Task<TokenResponse> StartSessionAsync(HttpClient client, string email, string password = TestUsers.Password)
    {
        var rsp = await client.PostAsJsonAsync("/api/auth/token", new { email, password });
        Assert.True(rsp.StatusCode == HttpStatusCode.OK, $"sign-in as {email} gave {(int)rsp.StatusCode}: {await rsp.Content.ReadAsStringAsync()}");
        return (await rsp.Content.ReadFromJsonAsync<TokenResponse>())!;
    }

    internal static HttpClient WithToken(this HttpClient client, string token)
    {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    internal static async Task PromoteAsync(NpgsqlDataSource db, Guid id)
    {
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync("UPDATE users SET role = 'admin' WHERE id = @id", new { id });
    }

    /// <summary>A new plain user, signed in on a client of its own.</summary>
    internal static async Task<(UserResponse User, HttpClient Client)> NewUserAsync(this App app, string fullName = "Plain User")
    {
        var email = TestUsers.UniqueEmail("user");
        var (user, _) = await app.CreateAsync(email, fullName);
        return (user, app.CreateClient().WithToken(await SignInAsync(app.Anonymous, email)));
    }

    /// <summary>A new admin (promoted in the database, then signed in), on a client of its own.</summary>
    internal static async Task<(UserResponse User, HttpClient Client)> NewAdminAsync(this App app)
    {
        var email = TestUsers.UniqueEmail("admin");
        var (user, _) = await app.CreateAsync(email, "Test Admin");
        await PromoteAsync(app.Db, user.Id);
        return (user with { Role = "admin" }, app.CreateClient().WithToken(await SignInAsync(app.Anonymous, email)));
    }
}
