using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Dapper;
using Npgsql;

namespace UserService.Tests.Reliability;

/// <summary>
/// <c>ConnectionStrings:UsersListener</c>: the stamp listener's own connection (past PgBouncer in transaction mode, in a
/// deployment), here told apart from the pool by connecting as a database role of its own.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ListenerConnectionTests(App app)
{
    [Fact]
    public async Task The_listener_connects_with_its_own_connection_string_while_the_pool_does_not_and_revocation_still_reaches_it()
    {
        var role = $"listener_{Guid.NewGuid():N}"[..24];
        await using var admin = await app.Db.OpenConnectionAsync();
        await admin.ExecuteAsync($"CREATE ROLE {role} LOGIN PASSWORD 'listener password'");
        try
        {
            var listener = new NpgsqlConnectionStringBuilder(App.ConnectionString) { Username = role, Password = "listener password" };
            await using var a = ServiceProcess.Start(settings: new Dictionary<string, string> { ["ConnectionStrings__UsersListener"] = listener.ConnectionString });
            await using var b = ServiceProcess.Start();
            await Task.WhenAll(a.WaitUntilReadyAsync(signIn: false), b.WaitUntilReadyAsync(signIn: false));
            await a.WaitForOutputAsync("Security-stamp listener connected", TimeSpan.FromSeconds(30));

            var backends = (await admin.QueryAsync<(string Name, string Role)>(
                "SELECT application_name, usename FROM pg_stat_activity WHERE application_name IN (@pooled, @listener)",
                new { pooled = a.ApplicationName, listener = a.ApplicationName + "/listener" })).ToList();
            var serviceRole = new NpgsqlConnectionStringBuilder(App.ConnectionString).Username;
            TestReport.Line($"backends of the instance: {string.Join(", ", backends.Select(x => $"{x.Name[^9..]} as {x.Role}"))}");
            Assert.Equal(role, Assert.Single(backends, x => x.Name == a.ApplicationName + "/listener").Role);
            Assert.Contains(backends, x => x.Name == a.ApplicationName);
            Assert.All(backends.Where(x => x.Name == a.ApplicationName), x => Assert.Equal(serviceRole, x.Role));

            // A serves the token from its cache (no more stamp lookups), so only its listener can tell it of a change made
            // through B.
            var (id, email) = await RevocationTests.SignUpAsync(a);
            var token = await Identity.SignInAsync(a.Client, email);
            Assert.Equal(HttpStatusCode.OK, await RevocationTests.MeAsync(a, token));
            var lookups = await RevocationTests.LookupsAsync(a);
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(HttpStatusCode.OK, await RevocationTests.MeAsync(a, token));
            }

            Assert.Equal(lookups, await RevocationTests.LookupsAsync(a));
            var changed = await b.Client.SendAsync(RevocationTests.WithToken(new(HttpMethod.Patch, $"/api/users/{id}")
            {
                Content = JsonContent.Create(new { password = "a brand new passphrase", currentPassword = TestUsers.Password }),
            }, token));
            Assert.Equal(HttpStatusCode.OK, changed.StatusCode);

            var clock = Stopwatch.StartNew();
            var status = await RevocationTests.MeAsync(a, token);
            while (status == HttpStatusCode.OK && clock.Elapsed < RevocationTests.PropagationBudget)
            {
                await Task.Delay(10);
                status = await RevocationTests.MeAsync(a, token);
            }

            TestReport.Line($"password changed through B: A answered {(int)status} after {clock.ElapsedMilliseconds} ms");
            Assert.Equal(HttpStatusCode.Unauthorized, status);
        }
        finally
        {
            // Its backend may outlive the killed process for a moment; PostgreSQL drops a role with sessions left anyway.
            await admin.ExecuteAsync($"DROP ROLE IF EXISTS {role}");
        }
    }
}
