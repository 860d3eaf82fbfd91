using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Dapper;
using Npgsql;
using UserService.Features.Auth;

namespace UserService.Tests.Reliability;

/// <summary>
/// Sessions on a real process with settings of its own: lifetimes of seconds (not days) to see both kinds of expiry,
/// a small per-address limit to see refresh throttled, and every log category at its most verbose to see that no
/// refresh token is ever written out.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class SessionProcessTests(App app)
{
    static readonly TimeSpan Idle = TimeSpan.FromSeconds(4);
    static readonly TimeSpan Absolute = TimeSpan.FromSeconds(9);

    [Fact]
    public async Task Sessions_end_after_the_idle_timeout_and_after_the_absolute_lifetime_and_no_refresh_token_is_logged()
    {
        await using var service = ServiceProcess.Start(settings: new Dictionary<string, string>
        {
            ["Sessions__IdleTimeout"] = Idle.ToString("c"),
            ["Sessions__AbsoluteLifetime"] = Absolute.ToString("c"),
            ["Logging__LogLevel__Default"] = "Trace",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Trace",
            ["Logging__LogLevel__Microsoft.AspNetCore.HttpLogging"] = "Trace",
            ["Logging__LogLevel__Npgsql"] = "Trace",
        });
        await service.WaitUntilReadyAsync(signIn: false);
        var email = await SignUpAsync(service);
        var seen = new List<string>();

        // Each session began at the latest when its sign-in answered: the marks below are taken then.
        var clock = Stopwatch.StartNew();
        var idle = await SignInAsync(service, email);
        var idleBegan = clock.Elapsed;
        var kept = await SignInAsync(service, email);
        var keptBegan = clock.Elapsed;
        seen.AddRange([idle.RefreshToken, kept.RefreshToken]);
        Assert.InRange(kept.RefreshExpiresIn, Idle.TotalSeconds - 2, Idle.TotalSeconds);

        // Refreshed every second, the kept session outlives the idle timeout; the other one does not.
        while (clock.Elapsed < idleBegan + Idle + TimeSpan.FromSeconds(1))
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            kept = await (await service.Client.RefreshAsync(kept.RefreshToken)).ReadTokensAsync();
            seen.Add(kept.RefreshToken);
        }

        var idleAnswer = await service.Client.RefreshAsync(idle.RefreshToken);
        var idleProblem = await idleAnswer.AssertProblemAsync(HttpStatusCode.Unauthorized);
        TestReport.Line($"idle session refreshed {(clock.Elapsed - idleBegan).TotalSeconds:F1} s after its sign-in, never used: {(int)idleAnswer.StatusCode}");

        // Near the absolute end, what is left is shorter than the idle timeout, and then nothing keeps it alive.
        while (clock.Elapsed < Absolute - TimeSpan.FromSeconds(2.5))
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            kept = await (await service.Client.RefreshAsync(kept.RefreshToken)).ReadTokensAsync();
            seen.Add(kept.RefreshToken);
        }

        Assert.True(kept.RefreshExpiresIn < Idle.TotalSeconds, $"refreshExpiresIn {kept.RefreshExpiresIn} at {clock.Elapsed.TotalSeconds:F1} s");
        var pastTheEnd = keptBegan + Absolute + TimeSpan.FromSeconds(0.5) - clock.Elapsed;
        await Task.Delay(pastTheEnd > TimeSpan.Zero ? pastTheEnd : TimeSpan.Zero);
        var absoluteAnswer = await service.Client.RefreshAsync(kept.RefreshToken);
        var absoluteProblem = await absoluteAnswer.AssertProblemAsync(HttpStatusCode.Unauthorized);
        TestReport.Line($"kept session refreshed {(clock.Elapsed - keptBegan).TotalSeconds:F1} s after its sign-in, last used about a second before: {(int)absoluteAnswer.StatusCode}");

        var unknown = await (await service.Client.RefreshAsync("an unknown token")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Single(new[] { idleProblem, absoluteProblem, unknown }.Select(SessionRows.Comparable).Distinct());

        var logout = await SignInAsync(service, email);
        seen.Add(logout.RefreshToken);
        Assert.Equal(HttpStatusCode.NoContent, (await service.Client.LogoutAsync(logout.RefreshToken)).StatusCode);
        var output = service.Output;
        Assert.Contains(output, l => l.Contains("/api/auth/refresh", StringComparison.Ordinal));
        foreach (var token in seen)
        {
            Assert.DoesNotContain(output, l => l.Contains(token, StringComparison.Ordinal));
        }

        TestReport.Line($"{seen.Count} refresh tokens, none of them in {output.Count} lines of Trace-level output");
    }

    [Fact]
    public async Task Refresh_is_throttled_per_client_address_with_429_and_retry_after()
    {
        await using var service = ServiceProcess.Start(settings: new Dictionary<string, string> { ["Throttling__AddressPermitLimit"] = "3" });
        await service.WaitUntilReadyAsync(signIn: false);
        // Counters are shared by every process on the test database: this test's address is its own.
        var from = Throttles.UniqueLoopback();

        var statuses = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((int)(await Throttles.PostAsync(service, from, "/api/auth/refresh", new { refreshToken = $"guess number {i}" })).StatusCode);
        }

        var throttled = await Throttles.PostAsync(service, from, "/api/auth/refresh", new { refreshToken = "one guess too many" });
        var signIn = await Throttles.SignInAsync(service, from, TestUsers.UniqueEmail("late"), TestUsers.Password);
        var elsewhere = await Throttles.PostAsync(service, Throttles.UniqueLoopback(), "/api/auth/refresh", new { refreshToken = "from another address" });
        TestReport.Line($"address limit 3: refreshes {Throttles.Runs(statuses)}, then {(int)throttled.StatusCode} (Retry-After {throttled.Headers.RetryAfter}); " +
               $"sign-in from there {(int)signIn.StatusCode}; a refresh from another address {(int)elsewhere.StatusCode}");

        Assert.Equal([401, 401, 401], statuses);
        await Throttles.AssertThrottledAsync(throttled);
        await Throttles.AssertThrottledAsync(signIn);
        await elsewhere.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Sessions_no_longer_live_are_swept_with_their_refresh_tokens_while_live_ones_stay()
    {
        await using var service = ServiceProcess.Start(settings: new Dictionary<string, string> { ["Sessions__SweepInterval"] = "00:00:01" });
        await service.WaitUntilReadyAsync(signIn: false);
        var email = await SignUpAsync(service);
        var live = await SignInAsync(service, email);
        var idle = await SignInAsync(service, email);
        var old = await SignInAsync(service, email);
        old = await (await service.Client.RefreshAsync(old.RefreshToken)).ReadTokensAsync();
        var revoked = await SignInAsync(service, await SignUpAsync(service));

        // Dead three ways by the default lifetimes (14 days idle, 30 absolute): unused too long, begun too long ago (though
        // just refreshed), and its user's stamp changed. Nothing signs these users in again, which would also remove them.
        await using var connection = await app.Db.OpenConnectionAsync();
        Task<Guid> SessionOf(TokenResponse tokens) => SessionOfAsync(connection, tokens);
        var (liveId, idleId, oldId, revokedId) = (await SessionOf(live), await SessionOf(idle), await SessionOf(old), await SessionOf(revoked));
        await connection.ExecuteAsync("UPDATE sessions SET last_used_at = now() - interval '15 days' WHERE id = @idleId", new { idleId });
        await connection.ExecuteAsync("UPDATE sessions SET created_at = now() - interval '31 days' WHERE id = @oldId", new { oldId });
        await connection.ExecuteAsync(
            "UPDATE users SET security_stamp = gen_random_uuid() WHERE id = (SELECT user_id FROM sessions WHERE id = @revokedId)", new { revokedId });
        Guid[] dead = [idleId, oldId, revokedId];
        Task<long> Count(string table, string column, Guid[] ids) =>
            connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM {table} WHERE {column} = ANY(@ids)", new { ids });
        Assert.Equal(4, await Count("refresh_tokens", "session_id", dead));

        // Swept every second here; bounded wait, not a speed assertion.
        var clock = Stopwatch.StartNew();
        while (await Count("sessions", "id", dead) > 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "dead sessions still there after 30 s");
            await Task.Delay(200);
        }

        TestReport.Line($"sweep every second: 3 dead sessions (idle, absolute, stamp) gone within {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(0, await Count("refresh_tokens", "session_id", dead));
        Assert.Equal(1, await Count("sessions", "id", [liveId]));
        Assert.Equal(1, await Count("refresh_tokens", "session_id", [liveId]));
        Assert.Equal(HttpStatusCode.OK, (await service.Client.RefreshAsync(live.RefreshToken)).StatusCode);
    }

    [Fact]
    public async Task A_sweep_that_fails_is_logged_and_tried_again_while_the_service_carries_on()
    {
        // A statement that waits more than a second fails: the sweep's, while the test holds the table locked.
        var cs = new NpgsqlConnectionStringBuilder(App.ConnectionString) { CommandTimeout = 1 }.ConnectionString;
        await using var service = ServiceProcess.Start(cs, new Dictionary<string, string> { ["Sessions__SweepInterval"] = "00:00:01" });
        await service.WaitUntilReadyAsync(signIn: false);
        var tokens = await SignInAsync(service, await SignUpAsync(service));
        await using var connection = await app.Db.OpenConnectionAsync();
        var id = await SessionOfAsync(connection, tokens);

        await using (var locked = await connection.BeginTransactionAsync())
        {
            await connection.ExecuteAsync("LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE", transaction: locked);
            await service.WaitForOutputAsync("Could not delete dead sessions", TimeSpan.FromSeconds(30));
            await connection.ExecuteAsync("UPDATE sessions SET created_at = now() - interval '31 days' WHERE id = @id", new { id }, locked);
            await locked.CommitAsync();
        }

        var clock = Stopwatch.StartNew();
        while (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM sessions WHERE id = @id", new { id }) > 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the dead session still there 30 s after the table was free");
            await Task.Delay(200);
        }

        TestReport.Line($"{service.Output.Count(l => l.Contains("Could not delete dead sessions", StringComparison.Ordinal))} failed sweep(s) while locked; " +
                        $"the dead session gone {clock.Elapsed.TotalSeconds:F1} s after the lock was released");
        Assert.False(service.HasExited);
        Assert.Equal(HttpStatusCode.OK, (await service.Client.GetAsync("/health/ready")).StatusCode);
        Assert.DoesNotContain(service.Output, l => l.Contains("Unhandled exception", StringComparison.Ordinal) || l.Contains("BackgroundService failed", StringComparison.Ordinal));
    }

    static Task<Guid> SessionOfAsync(NpgsqlConnection connection, TokenResponse tokens) => connection.QuerySingleAsync<Guid>(
        "SELECT session_id FROM refresh_tokens WHERE token_hash = sha256(convert_to(@RefreshToken, 'UTF8'))", tokens);

    static async Task<string> SignUpAsync(ServiceProcess service)
    {
        var email = TestUsers.UniqueEmail("session");
        var rsp = await service.Client.PostAsJsonAsync("/api/users", new { email, password = TestUsers.Password, fullName = "Session Holder" });
        Assert.Equal(HttpStatusCode.Created, rsp.StatusCode);
        return email;
    }

    static Task<TokenResponse> SignInAsync(ServiceProcess service, string email) => Identity.StartSessionAsync(service.Client, email);
}
