using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Dapper;
using Npgsql;
using Update = UserService.Features.Users.Update;

namespace UserService.Tests.Reliability;

/// <summary>
/// PostgreSQL goes away for real (its own throwaway cluster, stopped and started by the test) under a running
/// service process: 503 with Retry-After while it is gone, never a 500 or a hang, and recovery without a restart.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class DatabaseOutageTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>
{
    static readonly TimeSpan RecoveryBudget = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Outage_answers_503_with_retry_after_keeps_live_and_recovers_without_a_restart()
    {
        await using var service = ServiceProcess.Start(cluster.ConnectionString);
        await service.WaitUntilReadyAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add(await CreateAsync(service, $"Outage {i}"));
        }

        var clock = Stopwatch.StartNew();
        var exchanges = new ConcurrentBag<Exchange>();
        using var traffic = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var i = 0; !traffic.IsCancellationRequested; i++)
            {
                var (name, request) = ((w + i) % 8) switch
                {
                    7 => ("create", new HttpRequestMessage(HttpMethod.Post, "/api/users") { Content = Json.Of(TestUsers.SignUp(TestUsers.UniqueEmail("outage"), "Outage")) }),
                    0 or 3 or 5 => ("list", new HttpRequestMessage(HttpMethod.Get, "/api/users?limit=10")),
                    2 or 6 => ("patch", new HttpRequestMessage(HttpMethod.Patch, $"/api/users/{ids[i % ids.Count]}") { Content = Json.Of(new Update.Patch { FullName = $"Outage {w}-{i}" }) }),
                    _ => ("get", new HttpRequestMessage(HttpMethod.Get, $"/api/users/{ids[i % ids.Count]}")),
                };
                exchanges.Add(await service.Client.ExchangeAsync(request, clock, name, TimeSpan.FromSeconds(30)));
                await Task.Delay(25);
            }
        })).ToList();

        await Task.Delay(TimeSpan.FromSeconds(2));
        var stopping = clock.Elapsed;
        await cluster.StopAsync();
        var down = clock.Elapsed;

        await Task.Delay(TimeSpan.FromSeconds(1));
        var readyDuringOutage = await service.Client.ExchangeAsync(new(HttpMethod.Get, "/health/ready"), clock, "ready");
        var liveDuringOutage = await service.Client.ExchangeAsync(new(HttpMethod.Get, "/health/live"), clock, "live");
        await Task.Delay(TimeSpan.FromSeconds(2));

        var starting = clock.Elapsed;
        await cluster.StartAsync();
        var up = clock.Elapsed;
        TimeSpan? readyAgain = null;
        while (clock.Elapsed - up < RecoveryBudget + TimeSpan.FromSeconds(10))
        {
            var probe = await service.Client.ExchangeAsync(new(HttpMethod.Get, "/health/ready"), clock, "ready");
            if (probe.Status == HttpStatusCode.OK)
            {
                readyAgain = probe.DoneAt;
                break;
            }

            await Task.Delay(50);
        }

        // Carry on until every client has had a request served after recovery (slow on a busy machine: creates hash).
        var settle = Stopwatch.StartNew();
        while (readyAgain is not null && exchanges.Count(e => e.SentAt > readyAgain) < 16 && settle.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(100);
        }

        await traffic.CancelAsync();
        await Task.WhenAll(workers);

        var all = exchanges.OrderBy(e => e.SentAt).ToList();
        var inOutage = all.Where(e => e.SentAt > down && e.DoneAt < starting).ToList();
        var afterRecovery = all.Where(e => readyAgain is not null && e.SentAt > readyAgain).ToList();
        var firstSuccessAfterStart = all.FirstOrDefault(e => e.SentAt > starting && e.Answered && e.Code < 300);
        var unavailable = all.Where(e => e.Status == HttpStatusCode.ServiceUnavailable).ToList();
        TestReport.Line($"Outage: stop took {(down - stopping).TotalMilliseconds:F0} ms, down for {(starting - down).TotalSeconds:F1} s, start took {(up - starting).TotalMilliseconds:F0} ms");
        TestReport.Line($"Recovery: /health/ready 200 again {(readyAgain - up)?.TotalMilliseconds:F0} ms after PostgreSQL was up; first request served after the restart answered {(firstSuccessAfterStart?.DoneAt - up)?.TotalMilliseconds:F0} ms after it");
        TestReport.Line($"{all.Count} requests: {Exchange.Summary(all)}; in the outage window: {Exchange.Summary(inOutage)}; after recovery: {Exchange.Summary(afterRecovery)}");
        TestReport.Line($"503 latency: max {unavailable.Where(e => e.Name != "create").Select(e => e.Elapsed.TotalMilliseconds).DefaultIfEmpty().Max():F0} ms " +
               $"({unavailable.Select(e => e.Elapsed.TotalMilliseconds).DefaultIfEmpty().Max():F0} ms counting creates, which hash first); any answer: max {all.Max(e => e.Elapsed.TotalMilliseconds):F0} ms");
        TestReport.Line($"During the outage: /health/ready {readyDuringOutage.Code}, /health/live {liveDuringOutage.Code}");
        TestReport.Line($"Slowest: {string.Join("; ", all.OrderByDescending(e => e.Elapsed).Take(5))}");
        foreach (var line in service.Output.Where(l => l.Contains("warn:", StringComparison.Ordinal) || l.Contains("fail:", StringComparison.Ordinal) || l.Contains("crit:", StringComparison.Ordinal))
                     .Select(l => System.Text.RegularExpressions.Regex.Replace(l, @"^.*?(warn|fail|crit): | => .*RequestId:\S+|\[\d+\]", ""))
                     .Select(l => l.Length > 160 ? l[..160] : l).Distinct().Take(12))
        {
            TestReport.Line(line);
        }

        Assert.All(all, e => Assert.True(e.Answered, $"every request gets a whole answer: {e}"));
        Assert.All(all, e => Assert.Contains(e.Code, new[] { 200, 201, 503 }));
        Assert.All(unavailable, e => e.AssertRetryableProblem());
        // The settings bound every answer that does not hash a password (creates do, which on two busy cores takes its
        // own time): at most three statements (the token's stamp, checked per request while the listener is down; the
        // request's own; a read's one retry), each waiting at most Timeout to open and Command Timeout to run.
        var settings = new NpgsqlConnectionStringBuilder(cluster.ConnectionString);
        var bound = 3 * TimeSpan.FromSeconds(settings.Timeout + settings.CommandTimeout);
        Assert.All(all.Where(e => e.Name != "create"), e => Assert.True(e.Elapsed < bound, $"bounded by the configured timeouts ({bound.TotalSeconds} s): {e}"));
        Assert.NotEmpty(inOutage);
        Assert.All(inOutage, e => Assert.Equal(HttpStatusCode.ServiceUnavailable, e.Status));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyDuringOutage.Status);
        readyDuringOutage.AssertRetryableProblem();
        Assert.Equal(HttpStatusCode.OK, liveDuringOutage.Status);

        Assert.NotNull(readyAgain);
        Assert.True(readyAgain - up <= RecoveryBudget, $"ready again {(readyAgain - up)?.TotalMilliseconds:F0} ms after PostgreSQL came back");
        Assert.NotEmpty(afterRecovery);
        Assert.All(afterRecovery, e => Assert.True(e.Code is 200 or 201, $"served normally after recovery: {e}"));
        Assert.Contains(service.Output, l => l.Contains("Database unavailable, answering 503", StringComparison.Ordinal));
    }

    [Fact]
    public async Task After_a_restart_the_first_reads_on_stale_pooled_connections_are_retried_and_succeed()
    {
        await using var service = ServiceProcess.Start(cluster.ConnectionString + ";Minimum Pool Size=3");
        await service.WaitUntilReadyAsync();
        var id = await CreateAsync(service, "Stale Pool");
        var clock = Stopwatch.StartNew();

        // The pool keeps idle connections to the old server; the first use of one finds it closed (57P01).
        await cluster.StopAsync();
        await cluster.StartAsync();
        var get = await service.Client.ExchangeAsync(new(HttpMethod.Get, $"/api/users/{id}"), clock, "get");
        await cluster.StopAsync();
        await cluster.StartAsync();
        var list = await service.Client.ExchangeAsync(new(HttpMethod.Get, "/api/users?limit=5"), clock, "list");
        TestReport.Line($"First request after a restart: {get}; after another: {list}");

        Assert.Equal(HttpStatusCode.OK, get.Status);
        Assert.Equal(HttpStatusCode.OK, list.Status);
    }

    [Fact]
    public async Task A_write_whose_connection_breaks_mid_statement_answers_503_and_is_not_retried()
    {
        await using var service = ServiceProcess.Start(cluster.ConnectionString);
        await service.WaitUntilReadyAsync();
        var id = await CreateAsync(service, "Broken Write");
        await using var db = cluster.CreateDataSource();
        var clock = Stopwatch.StartNew();

        await using var rowLock = await RowLock.TakeAsync(db, id);
        var patch = service.Client.ExchangeAsync(
            new(HttpMethod.Patch, $"/api/users/{id}") { Content = Json.Of(new Update.Patch { FullName = "Cut Off" }) }, clock, "patch");
        await RowLock.WaitForWaitersAsync(db, service, 1);
        await RowLock.TerminateWaitersAsync(db, service);

        var answer = await patch;
        await Task.Delay(TimeSpan.FromSeconds(1));
        var waitersAfter = await RowLock.WaitersAsync(db, service);
        await rowLock.ReleaseAsync();
        await using var connection = await db.OpenConnectionAsync();
        var row = await connection.QuerySingleAsync<(string, long)>("SELECT full_name, version FROM users WHERE id = @id", new { id });
        var again = await service.Client.ExchangeAsync(
            new(HttpMethod.Patch, $"/api/users/{id}") { Content = Json.Of(new Update.Patch { FullName = "Sent Again" }) }, clock, "patch");
        TestReport.Line($"PATCH whose backend was terminated while it waited: {answer}; lock waiters a second later {waitersAfter}; row {row}; sent again by the client: {again}");

        answer.AssertRetryableProblem();
        Assert.Equal(0, waitersAfter);
        Assert.Equal(("Broken Write", 1L), row);
        Assert.Equal(HttpStatusCode.OK, again.Status);
    }

    static async Task<Guid> CreateAsync(ServiceProcess service, string fullName) =>
        (await service.Client.SignUpAsync(TestUsers.UniqueEmail("outage"), fullName)).User.Id;
}
