using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using UserService.Infrastructure.Database;

namespace UserService.Infrastructure.Health;

internal sealed class DatabaseHealthCheck(NpgsqlDataSource db, DatabaseState state) : IHealthCheck
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!state.Migrated)
        {
            return HealthCheckResult.Unhealthy("Schema migrations have not been applied yet.");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await using var connection = await db.OpenConnectionAsync(timeout.Token);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(timeout.Token);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"The database does not answer: {e.Message}");
        }
    }
}
