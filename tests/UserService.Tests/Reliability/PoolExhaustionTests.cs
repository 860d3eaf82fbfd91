using System.Diagnostics;
using System.Net;
using Npgsql;
using Update = UserService.Features.Users.Update;

namespace UserService.Tests.Reliability;

/// <summary>Every pooled connection is busy: requests that need one answer 503 after the pool timeout, then recover.</summary>
[Collection(ProcessCollection.Name)]
public sealed class PoolExhaustionTests(App app)
{
    const int MaxPool = 2;
    const int PoolTimeoutSeconds = 2;

    [Fact]
    public async Task Exhausted_pool_answers_503_with_retry_after_after_the_pool_timeout_and_serves_again_once_freed()
    {
        var cs = new NpgsqlConnectionStringBuilder(App.ConnectionString) { MaxPoolSize = MaxPool, Timeout = PoolTimeoutSeconds, CommandTimeout = 30 };
        await using var service = ServiceProcess.Start(cs.ConnectionString);
        await service.WaitUntilReadyAsync();
        var (user, _) = await service.Client.SignUpAsync(TestUsers.UniqueEmail("pool"), "Pool");
        var clock = Stopwatch.StartNew();

        // Two PATCHes wait on the row lock inside PostgreSQL, each holding one of the two pooled connections.
        var rowLock = await RowLock.TakeAsync(app.Db, user.Id);
        var blocked = Enumerable.Range(0, MaxPool).Select(i => service.Client.ExchangeAsync(
            new(HttpMethod.Patch, $"/api/users/{user.Id}") { Content = Json.Of(new Update.Patch { FullName = $"Blocked {i}" }) }, clock, "patch")).ToList();
        await RowLock.WaitForWaitersAsync(app.Db, service, MaxPool);

        var starved = await Task.WhenAll(
            service.Client.ExchangeAsync(new(HttpMethod.Get, $"/api/users/{user.Id}"), clock, "get"),
            service.Client.ExchangeAsync(new(HttpMethod.Get, "/api/users?limit=5"), clock, "list"),
            service.Client.ExchangeAsync(new(HttpMethod.Delete, $"/api/users/{Guid.CreateVersion7()}"), clock, "delete"),
            service.Client.ExchangeAsync(new(HttpMethod.Post, "/api/users") { Content = Json.Of(TestUsers.SignUp(TestUsers.UniqueEmail("starved"), "Starved")) }, clock, "create"),
            service.Client.ExchangeAsync(new(HttpMethod.Get, "/health/ready"), clock, "ready"));
        var live = await service.Client.ExchangeAsync(new(HttpMethod.Get, "/health/live"), clock, "live");

        var released = clock.Elapsed;
        await rowLock.ReleaseAsync();
        var unblocked = await Task.WhenAll(blocked);
        var after = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ =>
            service.Client.ExchangeAsync(new(HttpMethod.Get, $"/api/users/{user.Id}"), clock, "get")));
        await rowLock.DisposeAsync();

        TestReport.Line($"Maximum Pool Size={MaxPool}, Timeout={PoolTimeoutSeconds}: starved requests {string.Join("; ", starved.Select(e => e.ToString()))}");
        TestReport.Line($"/health/live while starved: {live.Code} in {live.Elapsed.TotalMilliseconds:F0} ms");
        TestReport.Line($"After release: blocked PATCHes {Exchange.Summary(unblocked)}; next 10 GETs {Exchange.Summary(after)}, last answered {(after.Max(e => e.DoneAt) - released).TotalMilliseconds:F0} ms after release");

        foreach (var e in starved)
        {
            e.AssertRetryableProblem();
            Assert.InRange(e.Elapsed, TimeSpan.FromSeconds(PoolTimeoutSeconds) - TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(PoolTimeoutSeconds + 6));
        }

        Assert.Equal(HttpStatusCode.OK, live.Status);
        Assert.All(unblocked, e => Assert.Equal(HttpStatusCode.OK, e.Status));
        // A request still starved would be a 503 after the pool timeout: 200 is the proof that the pool serves again.
        Assert.All(after, e => Assert.Equal(HttpStatusCode.OK, e.Status));
        Assert.Contains(service.Output, l => l.Contains("connection pool has been exhausted", StringComparison.Ordinal));
    }
}
