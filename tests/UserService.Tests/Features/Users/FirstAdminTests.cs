using System.Net;
using System.Net.Http.Json;
using Dapper;
using Npgsql;

namespace UserService.Tests.Features.Users;

/// <summary>
/// The first admin (src/Infrastructure/Security/AdminBootstrap.cs) is created only when no admin exists, and never by
/// promoting an account that already has <c>Admin:Email</c>: whoever signed up with it chose its password.
/// </summary>
public sealed class FirstAdminTests(App app)
{
    [Fact]
    public async Task An_existing_plain_account_with_the_admin_email_is_never_promoted()
    {
        await using var database = await ScratchDatabase.CreateAsync(app, "first_admin");
        var cs = database.ConnectionString;
        await using (var first = ServiceProcess.Start(cs))
        {
            await first.WaitUntilReadyAsync(signIn: false);
            var signUp = await first.Client.PostAsJsonAsync("/api/users",
                new { email = "root@example.com", password = TestUsers.Password, fullName = "Not an admin" });
            Assert.Equal(HttpStatusCode.Created, signUp.StatusCode);
        }

        // Another spelling of the same address: it is the same account.
        await using var service = ServiceProcess.Start(cs, new Dictionary<string, string>
        {
            ["Admin__Email"] = "ROOT@Example.com",
            ["Admin__Password"] = "configured admin password",
        });
        await service.WaitUntilReadyAsync(signIn: false);

        await using var connection = await database.OpenAsync();
        var users = (await connection.QueryAsync<(string Email, string Role)>("SELECT email, role FROM users")).ToList();
        Assert.Equal([("root@example.com", "user")], users);
        Assert.Contains(service.Output, l => l.Contains("belongs to a plain user", StringComparison.Ordinal));

        var adminSignIn = await service.Client.PostAsJsonAsync("/api/auth/token",
            new { email = "root@example.com", password = "configured admin password" });
        await adminSignIn.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }
}
