using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Dapper;

namespace UserService.Tests.Reliability;

/// <summary>
/// Many clients create, update and delete users while PostgreSQL (a throwaway cluster) is restarted under them.
/// Each client keeps a ledger of its own users. An answer is either an acknowledgement (2xx: it happened), a
/// refusal (4xx, or a 503 sent after the server was fully down and answered before it was started again: it cannot
/// have happened) or ambiguous (a connection error or any other 503: it may have happened). The ledger holds, per
/// user, every state the acknowledged and ambiguous answers allow, and the database must be in one of them, both
/// when a client re-reads a user and at the end; a state that only a refused request could have produced, or one
/// that loses an acknowledged write, fails the test.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed partial class SoakTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>
{
    const int Clients = 12;
    static readonly TimeSpan Duration = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("USERSERVICE_SOAK_SECONDS"), CultureInfo.InvariantCulture, out var seconds) ? seconds : 40);

    [Fact]
    public async Task Writes_from_many_clients_across_a_postgresql_restart_lose_nothing_acknowledged_and_keep_nothing_refused()
    {
        await using var service = ServiceProcess.Start(cluster.ConnectionString);
        await service.WaitUntilReadyAsync();
        var outage = new Outage();
        var clock = Stopwatch.StartNew();
        using var traffic = new CancellationTokenSource(Duration);
        var clients = Enumerable.Range(0, Clients).Select(c => new Client(c, service, clock, outage)).ToList();
        var running = clients.Select(c => Task.Run(() => c.RunAsync(traffic.Token))).ToList();

        await Task.Delay(Duration * 0.4);
        await cluster.StopAsync();
        outage.Down(clock.Elapsed);
        await Task.Delay(TimeSpan.FromSeconds(3));
        outage.Starting(clock.Elapsed);
        await cluster.StartAsync();
        var up = clock.Elapsed;
        await Task.WhenAll(running);

        await using var db = cluster.CreateDataSource();
        await using var connection = await db.OpenConnectionAsync();
        var rows = (await connection.QueryAsync<(Guid Id, string Email, string FullName, long Version)>(
            "SELECT id, email, full_name, version FROM users")).ToList();
        var ledger = clients.SelectMany(c => c.Users).ToList();
        var violations = clients.SelectMany(c => c.Violations).ToList();
        var exact = 0;
        foreach (var user in ledger)
        {
            var matches = rows.Where(r => string.Equals(r.Email, user.Email, StringComparison.OrdinalIgnoreCase)).ToList();
            if (matches.Count > 1)
            {
                violations.Add($"{user.Email}: {matches.Count} rows");
                continue;
            }

            State? actual = matches is [var row] ? new(row.Version, row.FullName) : null;
            if (user.Id is { } id && matches is [var found] && found.Id != id)
            {
                violations.Add($"{user.Email}: row {found.Id}, acknowledged as {id}");
            }

            if (!user.Candidates.Contains(actual))
            {
                violations.Add($"{user.Email}: database has {actual?.ToString() ?? "no row"}, ledger allows {string.Join(" or ", user.Candidates.Select(c => c?.ToString() ?? "no row"))}");
            }

            exact += user.Candidates.Count == 1 ? 1 : 0;
        }

        // Every soak-… row is in some client's ledger (rows of other origins, such as a configured admin, are not ours).
        var untracked = rows.Count(r => r.Email.StartsWith("soak-", StringComparison.OrdinalIgnoreCase)
                                        && !ledger.Any(u => string.Equals(u.Email, r.Email, StringComparison.OrdinalIgnoreCase)));
        var exchanges = clients.SelectMany(c => c.Exchanges).ToList();
        var counts = clients.SelectMany(c => c.Counts).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Sum(p => p.Value));
        string Count(string key) => counts.GetValueOrDefault(key).ToString(CultureInfo.InvariantCulture);
        TestReport.Line($"Soak: {Clients} clients for {Duration.TotalSeconds:F0} s; PostgreSQL down from {outage.DownAt.TotalSeconds:F1} s to {outage.StartingAt.TotalSeconds:F1} s, up again at {up.TotalSeconds:F1} s");
        TestReport.Line($"{exchanges.Count} requests: {Exchange.Summary(exchanges)}; slowest {exchanges.Max(e => e.Elapsed.TotalMilliseconds):F0} ms");
        TestReport.Line($"Operations: create {Count("create")}, patch {Count("patch")}, stale patch {Count("stale-patch")}, duplicate create {Count("duplicate")}, delete {Count("delete")}, re-read {Count("resync")}");
        TestReport.Line($"Write fates: acknowledged {Count("acknowledged")}, refused {Count("refused")} (4xx {Count("refused-4xx")}, 503 while down {Count("refused-503")}), " +
               $"ambiguous {Count("ambiguous")} (later found applied {Count("ambiguous-applied")}, not applied {Count("ambiguous-not-applied")})");
        TestReport.Line($"End state: {ledger.Count} users in the ledger, {rows.Count} rows, {exact} checked exactly and {ledger.Count - exact} against their possible states, {untracked} rows nobody asked for; {violations.Count} violations");
        foreach (var violation in violations.Take(20))
        {
            TestReport.Line($"VIOLATION {violation}");
        }

        Assert.Empty(violations);
        Assert.Equal(0, untracked);
        Assert.True(counts.GetValueOrDefault("refused-503") > 0, "the restart should have refused some writes");
        Assert.True(counts.GetValueOrDefault("acknowledged") > 50, "the soak should acknowledge a fair number of writes");
        Assert.DoesNotContain(exchanges, e => e.HalfAnswered);
    }
}
