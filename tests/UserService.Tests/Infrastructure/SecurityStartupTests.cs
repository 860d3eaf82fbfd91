using System.Net;
using System.Net.Http.Json;
using Dapper;
using Npgsql;

namespace UserService.Tests.Infrastructure;

/// <summary>Security settings that only a real process shows: startup refusal, the first admin, per-address throttling.</summary>
[Collection(ProcessCollection.Name)]
public sealed class SecurityStartupTests(App app)
{
    [Theory]
    [InlineData("", "is not set")]
    [InlineData("too-short-a-key", "is 15 bytes")]
    public async Task Outside_development_a_missing_or_short_signing_key_stops_startup_with_one_line(string key, string reason)
    {
        // The database is unreachable on purpose: the key check must come first and fail fast.
        var cs = $"Host=127.0.0.1;Port={ServiceProcess.FreePort()};Database=users;Username=postgres";
        await using var service = ServiceProcess.Start(cs, new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Jwt__SigningKey"] = key,
        });

        var exitCode = await service.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var lines = service.Output.Where(l => l.Contains("Jwt:SigningKey", StringComparison.Ordinal)).ToList();
        TestReport.Line($"signing key '{key}': exit code {exitCode}; {string.Join(" | ", lines)}");

        Assert.Equal(1, exitCode);
        Assert.Contains(reason, Assert.Single(lines), StringComparison.Ordinal);
        Assert.DoesNotContain(service.Output, l => l.Contains("Database attempt", StringComparison.Ordinal));
        Assert.DoesNotContain(service.Output, l => l.Contains("   at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task In_development_a_missing_key_is_replaced_by_an_ephemeral_one_with_a_warning()
    {
        await using var service = ServiceProcess.Start(settings: new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Jwt__SigningKey"] = "",
        });

        await service.WaitUntilReadyAsync();

        Assert.Equal(HttpStatusCode.OK, (await service.Client.GetAsync("/api/users/me")).StatusCode);
        Assert.Contains(service.Output, l => l.Contains("ephemeral key", StringComparison.Ordinal));
    }

    [Fact]
    public async Task First_admin_is_created_once_by_instances_starting_together_and_after_restarts()
    {
        await using var database = await ScratchDatabase.CreateAsync(app, "bootstrap");
        var cs = database.ConnectionString;
        var settings = new Dictionary<string, string> { ["Admin__Email"] = "root@example.com", ["Admin__Password"] = "configured admin password" };
        var first = Enumerable.Range(0, 3).Select(_ => ServiceProcess.Start(cs, settings)).ToList();
        await Task.WhenAll(first.Select(s => s.WaitUntilReadyAsync(signIn: false)));
        var token = await Identity.SignInAsync(first[0].Client, "root@example.com", "configured admin password");
        var list = await first[0].Client.WithToken(token).GetAsync("/api/users");
        foreach (var service in first)
        {
            await service.DisposeAsync();
        }

        await using (var again = ServiceProcess.Start(cs, settings))
        {
            await again.WaitUntilReadyAsync(signIn: false);
        }

        await using var connection = await database.OpenAsync();
        var admins = (await connection.QueryAsync<string>("SELECT email FROM users WHERE role = 'admin'")).ToList();
        TestReport.Line($"3 instances at once, then a restart: admins = [{string.Join(", ", admins)}]; admin list answered {(int)list.StatusCode}");

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(["root@example.com"], admins);
    }

    [Fact]
    public async Task Sign_in_and_sign_up_are_throttled_per_client_address_with_429()
    {
        await using var service = ServiceProcess.Start(settings: new Dictionary<string, string> { ["Throttling__AddressPermitLimit"] = "4" });
        await service.WaitUntilReadyAsync(signIn: false);
        // Counters are shared by every process on the test database: this client's address is its own.
        using var client = service.ClientFrom(Throttles.UniqueLoopback());

        var statuses = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            var rsp = await client.PostAsJsonAsync("/api/auth/token", new { email = TestUsers.UniqueEmail("guess"), password = "some password guess" });
            statuses.Add((int)rsp.StatusCode);
        }

        var throttled = await client.PostAsJsonAsync("/api/auth/token", new { email = TestUsers.UniqueEmail("guess"), password = "another guess" });
        var signUp = await client.PostAsJsonAsync("/api/users", new { email = TestUsers.UniqueEmail("late"), password = TestUsers.Password, fullName = "Too Late" });
        TestReport.Line($"address limit 4: sign-ins {string.Join(",", statuses)} then {(int)throttled.StatusCode} (Retry-After {throttled.Headers.RetryAfter}); sign-up {(int)signUp.StatusCode}");

        Assert.Equal([401, 401, 401, 401], statuses);
        await throttled.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.InRange(throttled.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);
        await signUp.AssertProblemAsync(HttpStatusCode.TooManyRequests);
    }
}
