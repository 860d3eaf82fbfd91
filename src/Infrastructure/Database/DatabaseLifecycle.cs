using System.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;

namespace UserService.Infrastructure.Database;

/// <summary>
/// The startup and shutdown hooks of the shared data source. The host starts hosted services before the
/// server accepts its first request and stops them after the server has drained in-flight requests, so no
/// request can observe the pool before it is ready or after it is disposed.
/// </summary>
internal sealed partial class DatabaseLifecycle(
    NpgsqlDataSource dataSource,
    Migrator migrator,
    DatabaseState state,
    IOptions<DatabaseOptions> options,
    ILogger<DatabaseLifecycle> logger) : IHostedService
{
    readonly NpgsqlConnectionStringBuilder settings = new(dataSource.ConnectionString);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await WaitForDatabaseAsync(cancellationToken);
        await migrator.MigrateAsync(cancellationToken);
        state.MarkMigrated();
        await WarmPoolAsync(cancellationToken);
        LogReady(settings.Host, settings.Port, settings.Database, settings.MinPoolSize, settings.MaxPoolSize);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await dataSource.DisposeAsync();
        LogDisposed();
    }

    async Task WaitForDatabaseAsync(CancellationToken cancellationToken)
    {
        var deadline = options.Value.StartupDeadline;
        var clock = Stopwatch.StartNew();
        var delay = TimeSpan.FromMilliseconds(250);

        for (var attempt = 1; ; attempt++)
        {
            var remaining = deadline - clock.Elapsed;
            using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attemptTimeout.CancelAfter(remaining > TimeSpan.Zero ? remaining : TimeSpan.FromMilliseconds(1));
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(attemptTimeout.Token);
                return;
            }
            catch (Exception e) when (NpgsqlFailures.IsTransientAtStartup(e) && !cancellationToken.IsCancellationRequested)
            {
                remaining = deadline - clock.Elapsed;
                LogAttemptFailed(attempt, settings.Host, settings.Port, settings.Database, e.Message, remaining.TotalSeconds);
                if (remaining <= TimeSpan.Zero)
                {
                    throw Unreachable(attempt, clock.Elapsed, e);
                }

                await Task.Delay(delay < remaining ? delay : remaining, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.Value.MaxRetryDelay.Ticks));
            }
            catch (PostgresException e)
            {
                // Wrong password, missing database: retrying cannot help.
                throw Unreachable(attempt, clock.Elapsed, e);
            }
        }
    }

    DatabaseUnavailableException Unreachable(int attempts, TimeSpan elapsed, Exception cause)
    {
        var message = $"Database unreachable: host={settings.Host} port={settings.Port} database={settings.Database} " +
                      $"after {attempts} attempt(s) in {elapsed.TotalSeconds:F1}s ({cause.Message}); exiting.";
        LogUnreachable(message);
        return new DatabaseUnavailableException(message, cause);
    }

    async Task WarmPoolAsync(CancellationToken cancellationToken)
    {
        var connections = new List<NpgsqlConnection>();
        try
        {
            for (var i = 0; i < settings.MinPoolSize; i++)
            {
                connections.Add(await dataSource.OpenConnectionAsync(cancellationToken));
            }
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Database attempt {Attempt} to {Host}:{Port}/{Database} failed: {Reason}; {Remaining:F1}s left before giving up")]
    partial void LogAttemptFailed(int attempt, string? host, int port, string? database, string reason, double remaining);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Database ready at {Host}:{Port}/{Database}; pool min {MinPoolSize}, max {MaxPoolSize}")]
    partial void LogReady(string? host, int port, string? database, int minPoolSize, int maxPoolSize);

    [LoggerMessage(Level = LogLevel.Critical, Message = "{Message}")]
    partial void LogUnreachable(string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Data source disposed; every pooled connection is closed")]
    partial void LogDisposed();
}
