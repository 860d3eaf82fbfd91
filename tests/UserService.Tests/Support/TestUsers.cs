using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using UserService.Features.Users;
using Create = UserService.Features.Users.Create;

namespace UserService.Tests.Support;

/// <summary>Unique users for each test, so tests never need to clean tables to stay independent.</summary>
public static partial class TestUsers
{
    public const string Password = "correct horse battery staple";

    public static string UniqueEmail(string prefix = "user") => $"{prefix}-{Guid.NewGuid():N}@example.com";

    /// <summary>A valid sign-up: the typed body of <c>POST /api/users</c>.</summary>
    internal static Create.Request SignUp(string? email = null, string fullName = "Ada Lovelace", string password = Password) =>
        new() { Email = email ?? UniqueEmail(), Password = password, FullName = fullName };

    /// <summary>Signs a user up through the API and returns it with its ETag.</summary>
    internal static Task<(UserResponse User, string ETag)> CreateAsync(this App app, string? email = null, string fullName = "Ada Lovelace", string password = Password) =>
        app.Anonymous.SignUpAsync(email, fullName, password);

    /// <summary>Signs a user up through any client (the in-memory host's, a real process's, a proxy's) and returns it with its ETag.</summary>
    internal static async Task<(UserResponse User, string ETag)> SignUpAsync(this HttpClient client, string? email = null, string fullName = "Ada Lovelace", string password = Password)
    {
        var (rsp, user) = await client.POSTAsync<Create.Endpoint, Create.Request, UserResponse>(SignUp(email, fullName, password));
        Assert.True(rsp.StatusCode == HttpStatusCode.Created, $"sign-up gave {(int)rsp.StatusCode}: {await rsp.Content.ReadAsStringAsync()}");
        return (user, rsp.Headers.ETag!.Tag);
    }

    /// <summary>How the service stores a password: Argon2id in the PHC string format.</summary>
    [GeneratedRegex(@"^\$argon2id\$v=19\$m=(?<m>\d+),t=(?<t>\d+),p=1\$(?<salt>[A-Za-z0-9+/]{22})\$[A-Za-z0-9+/]{43}$")]
    internal static partial Regex Argon2idHash();

    internal sealed record Row(Guid Id, string Email, string FullName, string Role, long Version, string PasswordHash, DateTime CreatedAt, DateTime UpdatedAt);

    /// <summary>The row as PostgreSQL has it, straight from the tests' own connection.</summary>
    internal static async Task<Row?> RowAsync(this App app, Guid id)
    {
        await using var connection = await app.Db.OpenConnectionAsync();
        return await connection.QuerySingleOrDefaultAsync<Row>(
            "SELECT id, email, full_name AS fullname, role, version, password_hash AS passwordhash, created_at AS createdat, updated_at AS updatedat FROM users WHERE id = @id",
            new { id });
    }

    internal static async Task<long> CountByEmailAsync(this App app, string email)
    {
        await using var connection = await app.Db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM users WHERE lower(email) = lower(@email)", new { email });
    }
}
