using System.Diagnostics;
using System.Net;
using Dapper;
using UserService.Infrastructure.Database;
using UserService.Infrastructure.Security;

namespace UserService.Tests.ScaleOut;

/// <summary>
/// Failover under a mixed write load. Synchronous replication: a commit is acknowledged only once the standby has it,
/// so promoting the standby after the primary is lost must lose no acknowledged write. The service is given both hosts
/// and nothing else: it must find the new primary by itself, answer 503 with Retry-After (never 500) meanwhile, and
/// its stamp listener must LISTEN on the new primary.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed partial class FailoverTests
{
    const int Writers = 4;

    /// <summary>
    /// The issue's bound on the write gap. What the service adds to the stop and the promotion (each well under a second
    /// here): up to <see cref="DatabaseConnection.DefaultHostRecheckSeconds"/> before Npgsql looks at the promoted host
    /// again, and one connect timeout (2 s in <see cref="ReplicatedCluster.ConnectionString"/>) for a request caught
    /// connecting to the stopped primary.
    /// </summary>
    static readonly TimeSpan MaxWriteGap = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Promoting_the_synchronous_standby_loses_no_acknowledged_write_and_answers_503_never_500_meanwhile()
    {
        await using var cluster = await ReplicatedCluster.StartAsync(synchronous: true);
        await using var service = ServiceProcess.Start(cluster.ConnectionString);
        await service.WaitUntilReadyAsync();
        await service.WaitForOutputAsync(Listening, TimeSpan.FromSeconds(30));

        var clock = Stopwatch.StartNew();
        var writers = Enumerable.Range(0, Writers).Select(w => new Writer(w, service.Client, clock)).ToList();
        using var traffic = new CancellationTokenSource();
        var running = writers.Select(w => Task.Run(() => w.RunAsync(traffic.Token))).ToList();

        TimeSpan stopping, stopped, promoted;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(3));
            stopping = clock.Elapsed;
            await cluster.StopPrimaryAsync();
            stopped = clock.Elapsed;
            await cluster.PromoteAsync();
            promoted = clock.Elapsed;

            // Until every writer has had a few writes acknowledged by the new primary (bounded, should it never happen).
            var settle = Stopwatch.StartNew();
            while (writers.Any(w => w.Acknowledged.Count(t => t > promoted) < 3) && settle.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100);
            }
        }
        finally
        {
            await traffic.CancelAsync();
            await Task.WhenAll(running);
        }

        var exchanges = writers.SelectMany(w => w.Exchanges).ToList();
        var acknowledged = writers.SelectMany(w => w.Acknowledged).Order().ToList();
        // The longest stretch without an acknowledged write, from the last before the outage to the first after it.
        var (before, after) = acknowledged.Zip(acknowledged.Skip(1)).MaxBy(p => p.Second - p.First);
        var gap = after - before;
        var unavailable = exchanges.Count(e => e.Status == HttpStatusCode.ServiceUnavailable);
        var errors = exchanges.Count(e => e.Code >= 500 && e.Status != HttpStatusCode.ServiceUnavailable);

        await using var newPrimary = cluster.CreateDataSource(cluster.StandbyPort);
        var lost = await LostAsync(newPrimary, writers.SelectMany(w => w.Users).ToList());
        TestReport.Line($"Failover: {Writers} writers, {exchanges.Count} writes ({Exchange.Summary(exchanges)}); primary stopping at {stopping.TotalSeconds:F1} s, " +
               $"stopped at {stopped.TotalSeconds:F1} s, standby promoted at {promoted.TotalSeconds:F1} s");
        TestReport.Line($"Write gap {gap.TotalSeconds:F1} s (no write acknowledged from {before.TotalSeconds:F1} s to {after.TotalSeconds:F1} s); " +
               $"first {(after - promoted).TotalSeconds:F1} s after the promotion returned; {acknowledged.Count} acknowledged, {lost.Count} lost; {unavailable} answers 503, {errors} other 5xx");
        foreach (var line in writers.SelectMany(w => w.Wrong).Concat(lost).Take(20))
        {
            TestReport.Line($"VIOLATION {line}");
        }

        Assert.Empty(writers.SelectMany(w => w.Wrong));
        Assert.Equal(0, errors);
        Assert.Empty(lost);
        Assert.True(acknowledged.Count(t => t < stopping) >= Writers, "the writers should have written before the failover");
        Assert.True(after > promoted, "the longest stretch without a write should be the failover");
        Assert.True(gap < MaxWriteGap, $"writes resumed only after {gap.TotalSeconds:F1} s");

        // The stamp cache trusts nothing until its listener hears its own notification again, on the new primary.
        await service.WaitForOutputAsync(Listening, TimeSpan.FromSeconds(30), occurrences: 2);
        await using var connection = await newPrimary.OpenConnectionAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>(
            "SELECT count(*)::int FROM pg_stat_activity WHERE application_name = @name",
            new { name = $"{service.ApplicationName}/listener" }));
    }

    /// <summary>The line <see cref="StampListener"/> logs once it LISTENs and has heard its own probe.</summary>
    const string Listening = "Security-stamp listener connected";

    /// <summary>Every tracked user whose row on the new primary is in none of the states the answers allow.</summary>
    static async Task<List<string>> LostAsync(Npgsql.NpgsqlDataSource db, List<Tracked> users)
    {
        await using var connection = await db.OpenConnectionAsync();
        var rows = (await connection.QueryAsync<(string Email, string FullName)>(
            "SELECT email, full_name FROM users WHERE email = ANY(@emails)", new { emails = users.Select(u => u.Email).ToArray() }))
            .ToDictionary(r => r.Email, r => r.FullName, StringComparer.OrdinalIgnoreCase);
        return [.. users
            .Where(u => !u.Candidates.Contains(rows.GetValueOrDefault(u.Email)))
            .Select(u => $"{u.Email}: {rows.GetValueOrDefault(u.Email) ?? "no row"}, the answers allow " +
                         string.Join(" or ", u.Candidates.Select(c => c ?? "no row")))];
    }
}
