using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Dapper;
using UserService.Features.Users;
using Update = UserService.Features.Users.Update;

namespace UserService.Tests.Reliability;

/// <summary>SIGTERM under load: what was accepted finishes, what comes after is refused cleanly, nothing is left open.</summary>
[Collection(ProcessCollection.Name)]
public sealed class GracefulShutdownTests(App app)
{
    const int Clients = 64;
    const int Users = 16;
    const int Blocked = 4;

    [Fact]
    public async Task Sigterm_under_64_clients_completes_every_accepted_request_refuses_the_rest_cleanly_and_exits_0_with_no_connections()
    {
        await using var service = ServiceProcess.Start();
        await service.WaitUntilReadyAsync();
        var users = new List<UserResponse>();
        for (var i = 0; i < Users + 1; i++)
        {
            users.Add((await service.Client.SignUpAsync(TestUsers.UniqueEmail("shutdown"), $"Shutdown {i}")).User);
        }

        var locked = users[^1];
        var clock = Stopwatch.StartNew();

        // Requests provably accepted before the signal: they wait on a row lock inside PostgreSQL.
        await using var rowLock = await RowLock.TakeAsync(app.Db, locked.Id);
        var inFlight = Enumerable.Range(0, Blocked).Select(i => service.Client.ExchangeAsync(
            new(HttpMethod.Patch, $"/api/users/{locked.Id}") { Content = Json.Of(new Update.Patch { FullName = $"In flight {i}" }) }, clock, "patch-in-flight")).ToList();
        await RowLock.WaitForWaitersAsync(app.Db, service, Blocked);

        var exchanges = new ConcurrentBag<Exchange>();
        var signalledTicks = TimeSpan.FromHours(1).Ticks;
        var load = Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
        {
            var user = users[c % Users];
            for (var i = 0; !service.HasExited && clock.Elapsed.Ticks < Volatile.Read(ref signalledTicks) + TimeSpan.FromSeconds(8).Ticks; i++)
            {
                var (name, request) = (i % 3) switch
                {
                    0 => ("get", new HttpRequestMessage(HttpMethod.Get, $"/api/users/{user.Id}")),
                    1 => ("list", new HttpRequestMessage(HttpMethod.Get, "/api/users?limit=5")),
                    _ => ($"patch {user.Id}", new HttpRequestMessage(HttpMethod.Patch, $"/api/users/{user.Id}") { Content = Json.Of(new Update.Patch { FullName = $"Load {c}-{i}" }) }),
                };
                var exchange = await service.Client.ExchangeAsync(request, clock, name);
                exchanges.Add(exchange);
                if (exchange.Status is null)
                {
                    await Task.Delay(10);
                }
            }
        })).ToList();

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var signalled = clock.Elapsed;
        Volatile.Write(ref signalledTicks, signalled.Ticks);
        service.Signal(ServiceProcess.SigTerm);
        // Shutdown has begun (not merely "some time has passed"): from here on the host drains, and must not exit.
        await service.WaitForOutputAsync(ServiceProcess.ShuttingDown, TimeSpan.FromSeconds(10));
        var aliveWhileLocked = !service.HasExited;
        await rowLock.ReleaseAsync();

        var blocked = await Task.WhenAll(inFlight);
        var exitCode = await service.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var exited = clock.Elapsed;
        await Task.WhenAll(load);
        var backends = await service.BackendCountAsync(app.Db);

        var all = exchanges.OrderBy(e => e.SentAt).ToList();
        var before = all.Where(e => e.SentAt < signalled).ToList();
        var after = all.Where(e => e.SentAt >= signalled).ToList();
        var completedDuringShutdown = all.Count(e => e.Answered && e.DoneAt > signalled) + blocked.Count(e => e.Answered);
        TestReport.Line($"{Clients} clients, SIGTERM at {signalled.TotalMilliseconds:F0} ms, exit code {exitCode} at {exited.TotalMilliseconds:F0} ms, backends left {backends}");
        TestReport.Line($"Sent before the signal: {before.Count} ({Exchange.Summary(before)}); sent after it: {after.Count} ({Exchange.Summary(after)})");
        TestReport.Line($"Answered after the signal (completed during shutdown): {completedDuringShutdown}; the {Blocked} PATCHes held on a row lock: {Exchange.Summary(blocked)}");
        TestReport.Line($"Refusals: {string.Join("; ", all.Where(e => !e.Answered).Select(e => e.Failure).Distinct().Take(3))}");

        Assert.True(aliveWhileLocked, "the process must wait for the requests in flight");
        Assert.All(blocked, e => Assert.Equal(HttpStatusCode.OK, e.Status));
        Assert.DoesNotContain(all, e => e.HalfAnswered);
        Assert.All(all.Where(e => e.Answered), e => Assert.True(e.Code == 200 || (e.Code == 503 && e.SentAt >= signalled), $"normal status: {e}"));
        Assert.NotEmpty(after);
        Assert.Equal(0, exitCode);
        Assert.Equal(0, backends);
        var output = service.Output.ToList();
        Assert.Contains(output, l => l.Contains("Data source disposed", StringComparison.Ordinal));
        Assert.DoesNotContain(output, l => l.Contains("Unhandled exception", StringComparison.Ordinal) || l.Contains("fail:", StringComparison.Ordinal));

        // Accepted means completed: a request refused without an answer (connection refused, or a keep-alive connection
        // closed before any byte of a response) was never executed. Each user's version counts exactly the PATCHes
        // answered 200.
        await using var connection = await app.Db.OpenConnectionAsync();
        var versions = (await connection.QueryAsync<(Guid Id, long Version)>(
            "SELECT id, version FROM users WHERE id = ANY(@ids)", new { ids = users.Select(u => u.Id).ToArray() })).ToDictionary(r => r.Id, r => r.Version);
        foreach (var user in users[..^1])
        {
            var acknowledged = all.Count(e => e.Name == $"patch {user.Id}" && e.Code == 200);
            Assert.Equal(1 + acknowledged, versions[user.Id]);
        }

        Assert.Equal(1 + Blocked, versions[locked.Id]);
    }
}
