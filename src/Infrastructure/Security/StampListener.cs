using Npgsql;

namespace UserService.Infrastructure.Security;

/// <summary>
/// Keeps <see cref="SecurityStamps"/> current: LISTENs on <c>user_security</c> (a trigger on <c>users</c> notifies
/// a user's id when it is deleted or its stamp or role changes) on a connection of its own, outside the request pool
/// so that it never takes a request's connection (and, with <c>ConnectionStrings:UsersListener</c>, past a pooler that
/// cannot carry LISTEN), and reconnects with backoff when that connection is lost.
/// Notifications sent while it is disconnected are lost for good (PostgreSQL keeps none), so caching stops the moment
/// the connection fails and starts again, from empty, only once LISTEN is in place again.
/// </summary>
internal sealed partial class StampListener(
    SecurityStamps stamps,
    NpgsqlDataSource dataSource,
    DatabaseConnection connection,
    ILogger<StampListener> logger) : BackgroundService
{
    public const string Channel = "user_security";

    /// <summary>The name its (unpooled) connections carry in Npgsql's metrics: a name, never the connection string.</summary>
    public const string ListenerName = "users-listener";

    /// <summary>The payload a TRUNCATE sends: every user may be gone.</summary>
    const string Everyone = "*";

    /// <summary>
    /// A silent connection is probed this often: a NOTIFY to itself that must come back within the interval, so a
    /// connection that died without a reset, or a proxy that does not pass notifications on, is found out well within
    /// <see cref="SecurityStamps.MaxSilence"/>, after which the cache is not trusted anyway.
    /// </summary>
    static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(2);

    const string ProbePrefix = "probe:";

    volatile string? pendingProbe;
    volatile bool probeHeard;

    static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // Any failure, expected (a broken connection, a restart, a failover) or not: never cache blind.
                // A connection that was serving starts again from the shortest delay.
                if (stamps.IsCaching)
                {
                    delay = TimeSpan.FromMilliseconds(100);
                }

                LogLost(e.Message, delay.TotalMilliseconds);
            }
            finally
            {
                stamps.StopCaching();
            }

            try
            {
                await Task.Delay(delay, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }

    async Task ListenAsync(CancellationToken stoppingToken)
    {
        await using var listener = new NpgsqlDataSourceBuilder(ConnectionString()) { Name = ListenerName }.Build();
        await using var connection = listener.CreateConnection();
        connection.Notification += (_, e) => OnNotification(e.Payload);
        await connection.OpenAsync(stoppingToken);
        await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
        {
            await listen.ExecuteNonQueryAsync(stoppingToken);
        }

        // Notifications must really come back on this connection before anything is cached.
        await ProbeAsync(connection, stoppingToken);
        stamps.StartCaching();
        LogListening(connection.ProcessID);
        while (true)
        {
            if (!await connection.WaitAsync(ProbeInterval, stoppingToken))
            {
                await ProbeAsync(connection, stoppingToken);
            }
        }
    }

    /// <summary>Sends a NOTIFY to itself and waits for it to come back; throws (and so drops the cache) when it does not.</summary>
    async Task ProbeAsync(NpgsqlConnection connection, CancellationToken stoppingToken)
    {
        probeHeard = false;
        pendingProbe = ProbePrefix + Guid.NewGuid().ToString("N");
        await using (var probe = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection))
        {
            probe.Parameters.AddWithValue("channel", Channel);
            probe.Parameters.AddWithValue("payload", pendingProbe);
            await probe.ExecuteNonQueryAsync(stoppingToken);
        }

        var deadline = DateTime.UtcNow + ProbeInterval;
        while (!probeHeard)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await connection.WaitAsync(left, stoppingToken) && !probeHeard)
            {
                throw new TimeoutException($"The listener's own notification did not come back within {ProbeInterval.TotalSeconds:F0} s.");
            }
        }
    }

    void OnNotification(string payload)
    {
        stamps.Heard();
        if (payload.StartsWith(ProbePrefix, StringComparison.Ordinal))
        {
            if (payload == pendingProbe)
            {
                probeHeard = true;
            }
        }
        else if (Guid.TryParse(payload, out var userId))
        {
            stamps.Forget(userId);
        }
        else if (payload == Everyone)
        {
            stamps.StartCaching();
        }
    }

    /// <summary>
    /// <c>ConnectionStrings:UsersListener</c> when set (validated at startup), else the data source's settings; either way
    /// unpooled, with keepalives and short timeouts, on the primary, and with an application name of its own
    /// (<c>…/listener</c>) so that <c>pg_stat_activity</c> tells it from the request pool.
    /// </summary>
    string ConnectionString()
    {
        var pooled = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        var dedicated = connection.Listener is null
            ? new NpgsqlConnectionStringBuilder(dataSource.ConnectionString) { Password = connection.Password } // not given back by the data source
            : new NpgsqlConnectionStringBuilder(connection.Listener);
        dedicated.Pooling = false;
        dedicated.ApplicationName = $"{dedicated.ApplicationName ?? pooled.ApplicationName}/listener";
        dedicated.TcpKeepAlive = true;
        dedicated.CommandTimeout = 5;
        dedicated.Timeout = 5;
        // A timed-out command on a dead link: give the connection up at once rather than try to cancel it.
        dedicated.CancellationTimeout = -1;
        if (dedicated.Host?.Contains(',', StringComparison.Ordinal) == true)
        {
            // LISTEN is refused on a standby: with several hosts, always the primary.
            dedicated.TargetSessionAttributes = "primary";
        }

        return dedicated.ConnectionString;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Security-stamp listener connected (backend {ProcessId}); caching stamps")]
    partial void LogListening(int processId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Security-stamp listener lost its connection ({Reason}); stamps are read per request until it is back (retry in {DelayMs} ms)")]
    partial void LogLost(string reason, double delayMs);
}
