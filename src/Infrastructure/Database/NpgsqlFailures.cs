using System.Net.Sockets;
using Npgsql;

namespace UserService.Infrastructure.Database;

/// <summary>
/// The one classification of what Npgsql throws, from the narrowest kind to the widest: a broken connection (retried
/// once by a read, <see cref="ReadRetry"/>), a failure worth retrying while the service starts (DatabaseLifecycle),
/// and an unavailable or saturated database (503 from the error handler). Anything else is fatal: a bug, or a setting
/// that retrying cannot fix (wrong password, missing database).
/// </summary>
internal static class NpgsqlFailures
{
    /// <summary>
    /// What Npgsql's multi-host data source throws when every host it knows of is down or of the wrong kind, e.g. the
    /// primary is gone and the standby is not promoted yet (or promoted less than <c>Host Recheck Seconds</c> ago). It
    /// carries no inner exception and is not transient, yet it is a failover in progress: pinned by the failover tests.
    /// </summary>
    internal const string NoSuitableHost = "No suitable host was found.";

    /// <summary>The server closed or refused the connection; nothing about it says the server is slow.</summary>
    public static bool IsBrokenConnection(Exception e) => e switch
    {
        PostgresException pg => IsServerGone(pg),
        NpgsqlException { InnerException: IOException or SocketException or EndOfStreamException } => true,
        _ => false,
    };

    /// <summary>
    /// At startup, whatever a later attempt may get past: any failure to connect or wait, and of the server's own
    /// errors only the transient ones (a server still starting). Wrong password, missing database: not retried.
    /// </summary>
    public static bool IsTransientAtStartup(Exception e) => e switch
    {
        PostgresException pg => pg.IsTransient || pg.SqlState is PostgresErrorCodes.CannotConnectNow,
        NpgsqlException => true,
        OperationCanceledException or TimeoutException => true,
        _ => false,
    };

    /// <summary>Connection failures, pool exhaustion, command timeouts, server shutdowns and failovers, at any depth.</summary>
    public static bool IsUnavailable(Exception? e) => e switch
    {
        null => false,
        NpgsqlException { Message: NoSuitableHost } and not PostgresException => true,
        PostgresException pg => pg.IsTransient || IsServerGone(pg)
                                || pg.SqlState is PostgresErrorCodes.TooManyConnections or PostgresErrorCodes.QueryCanceled,
        NpgsqlException npgsql => npgsql.IsTransient || IsUnavailable(npgsql.InnerException),
        TimeoutException => true,
        SocketException => true,
        _ => IsUnavailable(e.InnerException),
    };

    /// <summary>A connection exception (class 08), or a server shutting down or not yet accepting connections.</summary>
    static bool IsServerGone(PostgresException pg) =>
        pg.SqlState.StartsWith("08", StringComparison.Ordinal)
        || pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow;
}
