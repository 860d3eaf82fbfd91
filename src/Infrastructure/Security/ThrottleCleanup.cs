using Microsoft.Extensions.Options;
using Npgsql;

namespace UserService.Infrastructure.Security;

/// <summary>
/// Deletes ended throttling windows once per window. A key's row is reused for its next window, so only keys that
/// were never tried again are left behind (one per email or address sprayed at the service). A periodic delete,
/// rather than one riding on attempts, keeps every attempt at exactly one statement and costs the same whatever the
/// attempt rate: one indexed range delete per instance per window (several instances deleting the same rows is
/// harmless). It never stops the host: a failure waits for the next turn.
/// </summary>
internal sealed partial class ThrottleCleanup(
    NpgsqlDataSource db,
    IOptions<ThrottlingOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<ThrottleCleanup> logger) : BackgroundService
{
    const string DeleteSql = "DELETE FROM throttle_windows WHERE window_end < now()";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Stops with the application, before the shutdown hook disposes the data source (it stops earlier than this).
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        using var timer = new PeriodicTimer(TimeSpan.FromTicks(Math.Max(options.Value.Window.Ticks, TimeSpan.TicksPerSecond)));
        try
        {
            // The first turn comes one window after startup, by when the migrations have created the table.
            while (await timer.WaitForNextTickAsync(stopping.Token))
            {
                await DeleteEndedAsync(stopping.Token);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    async Task DeleteEndedAsync(CancellationToken ct)
    {
        try
        {
            await using var command = db.CreateCommand(DeleteSql);
            LogDeleted(await command.ExecuteNonQueryAsync(ct));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(e.GetType().Name, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deleted {Count} ended throttling window(s)")]
    partial void LogDeleted(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete ended throttling windows, trying again next window: {Kind}: {Reason}")]
    partial void LogFailed(string kind, string reason);
}
