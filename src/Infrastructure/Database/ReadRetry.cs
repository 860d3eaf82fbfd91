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
        catch (Exception e) when (NpgsqlFailures.IsBrokenConnection(e) && !ct.IsCancellationRequested)
        {
            return await read(ct);
        }
    }
}
