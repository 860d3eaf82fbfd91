using System.Diagnostics;
using System.Net;
using Npgsql;

namespace UserService.Tests.Reliability;

/// <summary>The throttling counters' table on the real process: windows that end and go, and a database that fails.</summary>
[Collection(ProcessCollection.Name)]
public sealed class ThrottleStoreTests(App app)
{
    [Fact]
    public async Task Retry_after_counts_to_the_windows_end_and_ended_windows_are_deleted_while_open_ones_stay()
    {
        await using var service = ServiceProcess.Start(settings: new Dictionary<string, string>
        {
            ["Throttling__AccountPermitLimit"] = "1",
            ["Throttling__Window"] = "00:00:02",
        });
        await service.WaitUntilReadyAsync(signIn: false);
        var stale = Throttles.Account(TestUsers.UniqueEmail("stale"));
        var open = Throttles.Account(TestUsers.UniqueEmail("open"));
        await Throttles.SeedAsync(app.Db, stale, TimeSpan.FromHours(-1), hits: 7);
        await Throttles.SeedAsync(app.Db, open, TimeSpan.FromHours(1), hits: 1);
        var email = TestUsers.UniqueEmail("short-window");
        var address = Throttles.UniqueLoopback();

        var first = await Throttles.SignInAsync(service, address, email, "some password guess");
        var second = await Throttles.SignInAsync(service, address, email, "some password guess");
        var during = await Throttles.WindowAsync(app.Db, Throttles.Account(email));

        Assert.Equal(HttpStatusCode.Unauthorized, first.StatusCode);
        await second.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.InRange(second.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 2);
        Assert.Equal(new Throttles.Window(2, true), during);

        // The service deletes ended windows once per window (here every 2 s); bounded wait, not a speed assertion.
        var clock = Stopwatch.StartNew();
        while (await Throttles.WindowAsync(app.Db, Throttles.Account(email)) is not null || await Throttles.WindowAsync(app.Db, stale) is not null)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "ended windows still there after 30 s");
            await Task.Delay(200);
        }

        TestReport.Line($"window 2 s: 401, then 429 with Retry-After {second.Headers.RetryAfter}; ended windows deleted within {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(new Throttles.Window(1, true), await Throttles.WindowAsync(app.Db, open));
        Assert.Equal(HttpStatusCode.Unauthorized, (await Throttles.SignInAsync(service, address, email, "some password guess")).StatusCode);
        await Throttles.SeedAsync(app.Db, open, TimeSpan.FromHours(-1), hits: 1);
    }

    [Fact]
    public async Task A_database_failure_while_counting_is_a_503_with_retry_after_and_counts_nothing()
    {
        // A command that waits more than a second fails (as a statement on a saturated or unreachable server would).
        var cs = new NpgsqlConnectionStringBuilder(App.ConnectionString) { CommandTimeout = 1 }.ConnectionString;
        await using var service = ServiceProcess.Start(cs);
        await service.WaitUntilReadyAsync(signIn: false);
        var address = Throttles.UniqueLoopback();
        var email = TestUsers.UniqueEmail("failing-count");
        Assert.Equal(HttpStatusCode.Unauthorized, (await Throttles.SignInAsync(service, address, email, "some password guess")).StatusCode);

        HttpResponseMessage accountFails, addressFails;
        await using (var held = await RowLock.TakeThrottleAsync(app.Db, Throttles.Account(email)))
        {
            accountFails = await Throttles.SignInAsync(service, address, email, "some password guess");
        }

        var neverCounted = TestUsers.UniqueEmail("failing-count");
        await using (var held = await RowLock.TakeThrottleAsync(app.Db, Throttles.Address(address)))
        {
            addressFails = await Throttles.SignInAsync(service, address, neverCounted, "some password guess");
        }

        var after = await Throttles.SignInAsync(service, address, email, "some password guess");

        TestReport.Line($"per-account count failing: {(int)accountFails.StatusCode}; per-address count failing: {(int)addressFails.StatusCode}; then {(int)after.StatusCode}");
        foreach (var failed in new[] { accountFails, addressFails })
        {
            await failed.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Equal(TimeSpan.FromSeconds(2), failed.Headers.RetryAfter!.Delta);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        // The failed statements counted nothing: the account saw two attempts, the address all four but the one it refused to count.
        Assert.Equal(new Throttles.Window(2, true), await Throttles.WindowAsync(app.Db, Throttles.Account(email)));
        Assert.Equal(new Throttles.Window(3, true), await Throttles.WindowAsync(app.Db, Throttles.Address(address)));
        Assert.Null(await Throttles.WindowAsync(app.Db, Throttles.Account(neverCounted)));
        Assert.DoesNotContain(service.Output, l => l.Contains("Unhandled exception", StringComparison.Ordinal));
    }
}
