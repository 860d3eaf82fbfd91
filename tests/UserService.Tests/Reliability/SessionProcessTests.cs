using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using UserService.Features.Auth;

namespace UserService.Tests.Reliability;

/// <summary>
/// Sessions on a real process with settings of its own: lifetimes of seconds (not days) to see both kinds of expiry,
/// a small per-address limit to see refresh throttled, and every log category at its most verbose to see that no
/// refresh token is ever written out.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class SessionProcessTests
{
    static readonly TimeSpan Idle = TimeSpan.FromSeconds(4);
    static readonly TimeSpan Absolute = TimeSpan.FromSeconds(9);

    static void Report(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

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
        Report($"idle session refreshed {(clock.Elapsed - idleBegan).TotalSeconds:F1} s after its sign-in, never used: {(int)idleAnswer.StatusCode}");

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
        Report($"kept session refreshed {(clock.Elapsed - keptBegan).TotalSeconds:F1} s after its sign-in, last used about a second before: {(int)absoluteAnswer.StatusCode}");

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

        Report($"{seen.Count} refresh tokens, none of them in {output.Count} lines of Trace-level output");
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
        Report($"address limit 3: refreshes {Throttles.Runs(statuses)}, then {(int)throttled.StatusCode} (Retry-After {throttled.Headers.RetryAfter}); " +
               $"sign-in from there {(int)signIn.StatusCode}; a refresh from another address {(int)elsewhere.StatusCode}");

        Assert.Equal([401, 401, 401], statuses);
        await Throttles.AssertThrottledAsync(throttled);
        await Throttles.AssertThrottledAsync(signIn);
        await elsewhere.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    static async Task<string> SignUpAsync(ServiceProcess service)
    {
        var email = TestUsers.UniqueEmail("session");
        var rsp = await service.Client.PostAsJsonAsync("/api/users", new { email, password = TestUsers.Password, fullName = "Session Holder" });
        Assert.Equal(HttpStatusCode.Created, rsp.StatusCode);
        return email;
    }

    static Task<TokenResponse> SignInAsync(ServiceProcess service, string email) => Identity.StartSessionAsync(service.Client, email);
}
