using System.Net.Sockets;
using Npgsql;

namespace UserService.Infrastructure.Database;

/// <summary>
/// One more try for an idempotent read whose connection broke under it: after PostgreSQL restarts, the pool's
/// idle connections still point at the old server, and the first use of one fails. That failure clears the pool,
/// so the second try opens a fresh connection. Timeouts are not retried (that only doubles the wait), nor is a
/// request that was cancelled. Writes never come here: a write whose connection broke may have committed.
/// </summary>
internal static class ReadRetry
{
    public static async Task<T> OnceAsync<T>(Func<CancellationToken, Task<T>> read, CancellationToken ct)
    {
        try
        {
            return await read(ct);
        }
        catch (Exception e) when (IsBrokenConnection(e) && !ct.IsCancellationRequested)
        {
            return await read(ct);
        }
    }

    /// <summary>The server closed or refused the connection; nothing about it says the server is slow.</summary>
    internal static bool IsBrokenConnection(Exception e) => e switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal)
                                || pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
                                    or PostgresErrorCodes.CannotConnectNow,
        NpgsqlException { InnerException: IOException or SocketException or EndOfStreamException } => true,
        _ => false,
    };
}
