using System.Diagnostics;
using Dapper;
using Npgsql;

namespace UserService.Tests.Support;

/// <summary>
/// A row lock held from the tests' own connection, so that a service request that writes the row provably waits
/// inside PostgreSQL (and holds its pooled connection) until the test lets go.
/// </summary>
internal sealed class RowLock : IAsyncDisposable
{
    readonly NpgsqlConnection connection;
    readonly NpgsqlTransaction transaction;

    RowLock(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        this.connection = connection;
        this.transaction = transaction;
    }

    public static Task<RowLock> TakeAsync(NpgsqlDataSource db, Guid id) =>
        TakeAsync(db, "SELECT 1 FROM users WHERE id = @id FOR UPDATE", new { id });

    /// <summary>Locks a throttling window, so that the service's next attempt on that key waits for it.</summary>
    public static Task<RowLock> TakeThrottleAsync(NpgsqlDataSource db, string throttleKey) =>
        TakeAsync(db, "SELECT 1 FROM throttle_windows WHERE key = @throttleKey FOR UPDATE", new { throttleKey });

    static async Task<RowLock> TakeAsync(NpgsqlDataSource db, string lockSql, object args)
    {
        var connection = await db.OpenConnectionAsync();
        var transaction = await connection.BeginTransactionAsync();
        Assert.Single(await connection.QueryAsync<int>(lockSql, args, transaction));
        return new(connection, transaction);
    }

    public async Task ReleaseAsync()
    {
        if (transaction.Connection is not null)
        {
            await transaction.CommitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }

    const string Waiters = "FROM pg_stat_activity WHERE application_name = @name AND wait_event_type = 'Lock'";

    /// <summary>The service's backends that wait on a lock right now.</summary>
    public static async Task<int> WaitersAsync(NpgsqlDataSource db, ServiceProcess service)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<int>($"SELECT count(*)::int {Waiters}", new { name = service.ApplicationName });
    }

    /// <summary>Ends the backends of the service that wait on a lock, as a crash or an operator would: mid-statement.</summary>
    public static async Task TerminateWaitersAsync(NpgsqlDataSource db, ServiceProcess service)
    {
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync($"SELECT pg_terminate_backend(pid) {Waiters}", new { name = service.ApplicationName });
    }

    public static async Task<TimeSpan> WaitForWaitersAsync(NpgsqlDataSource db, ServiceProcess service, int count)
    {
        var clock = Stopwatch.StartNew();
        while (await WaitersAsync(db, service) != count)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"timed out waiting for {count} lock waiter(s)");
            await Task.Delay(20);
        }

        return clock.Elapsed;
    }
}
