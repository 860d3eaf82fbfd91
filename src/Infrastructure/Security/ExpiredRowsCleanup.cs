using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace UserService.Infrastructure.Security;

/// <summary>
/// Deletes rows that can no longer matter, each kind on a timer of its own, through the data source's default target
/// (the primary): throttling windows that have ended, once per window, and sessions that are no longer live (with
/// their refresh-token hashes), once per <see cref="SessionLifetimes.SweepInterval"/>. A periodic delete, rather than
/// one riding on requests, keeps every request's statements as they are and costs the same whatever the request rate.
/// Several instances deleting the same rows is harmless. It never stops the host: a failed turn waits for the next.
/// </summary>
internal sealed partial class ExpiredRowsCleanup(
    NpgsqlDataSource db,
    IOptions<ThrottlingOptions> throttling,
    IOptions<SessionLifetimes> sessions,
    IHostApplicationLifetime lifetime,
    ILogger<ExpiredRowsCleanup> logger) : BackgroundService
{
    // A key's row is reused for its next window, so only keys never tried again are left behind (one per email or
    // address sprayed at the service): one indexed range delete.
    const string EndedWindowsSql = "DELETE FROM throttle_windows WHERE window_end < now()";

    // Not live by the one definition, in batches: each is a short transaction within the command timeout however large
    // the backlog (refresh_tokens rows go by cascade, up to thousands per session). SKIP LOCKED: a row a request holds
    // (a refusal deleting it) is left for the next turn, and two instances sweeping at once share the work.
    const string DeadSessionsSql = $"""
        DELETE FROM sessions WHERE id IN (
            SELECT s.id FROM sessions s JOIN users u ON u.id = s.user_id
            WHERE NOT ({SessionRules.IsLive})
            LIMIT @Batch
            FOR UPDATE OF s SKIP LOCKED)
        """;

    const int Batch = 1000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Stops with the application, before the server drains; the data source outlives it (StartupHooks).
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        var window = TimeSpan.FromTicks(Math.Max(throttling.Value.Window.Ticks, TimeSpan.TicksPerSecond));
        await Task.WhenAll(
            RepeatAsync("ended throttling windows", window, DeleteEndedWindowsAsync, stopping.Token),
            RepeatAsync("dead sessions", sessions.Value.SweepInterval, DeleteDeadSessionsAsync, stopping.Token));
    }

    async Task RepeatAsync(string rows, TimeSpan interval, Func<CancellationToken, Task<int>> delete, CancellationToken ct)
    {
        // The first turn comes one interval after startup; this starts once the migrations are done (StartupHooks).
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    LogDeleted(await delete(ct), rows);
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    // Anything but stopping: escaping would end the loop and, through BackgroundService, the host.
                    LogFailed(rows, e.GetType().Name, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    async Task<int> DeleteEndedWindowsAsync(CancellationToken ct)
    {
        await using var command = db.CreateCommand(EndedWindowsSql);
        return await command.ExecuteNonQueryAsync(ct);
    }

    async Task<int> DeleteDeadSessionsAsync(CancellationToken ct)
    {
        var args = new { Batch, sessions.Value.IdleSeconds, sessions.Value.AbsoluteSeconds };
        await using var connection = await db.OpenConnectionAsync(ct);
        int deleted, total = 0;
        do
        {
            deleted = await connection.ExecuteAsync(new CommandDefinition(DeadSessionsSql, args, cancellationToken: ct));
            total += deleted;
        }
        while (deleted == Batch && !ct.IsCancellationRequested);

        return total;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deleted {Count} {Rows}")]
    partial void LogDeleted(int count, string rows);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete {Rows}, trying again next turn: {Kind}: {Reason}")]
    partial void LogFailed(string rows, string kind, string reason);
}
