using DbUp;
using DbUp.Engine.Output;
using Npgsql;

namespace UserService.Infrastructure.Database;

/// <summary>
/// Applies the embedded <c>Migrations/*.sql</c> scripts with DbUp, under a PostgreSQL advisory lock so that
/// several instances starting at once apply each script exactly once.
/// </summary>
internal sealed partial class Migrator(NpgsqlDataSource dataSource, IConfiguration configuration, ILogger<Migrator> logger)
{
    // Any constant works; it only has to be the same for every instance of this service.
    const long LockKey = 0x5573657253766331;

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var lockConnection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", lockConnection))
        {
            command.Parameters.AddWithValue("key", LockKey);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        // DbUp opens its own connection; the lock above is held by this session until it closes.
        var upgrader = DeployChanges.To
            .PostgresqlDatabase(configuration.GetConnectionString(DatabaseExtensions.ConnectionStringName))
            .WithScriptsEmbeddedInAssembly(typeof(Migrator).Assembly, name => name.Contains(".Migrations.", StringComparison.Ordinal))
            .WithTransactionPerScript()
            .LogTo(new DbUpLog(logger))
            .Build();

        var result = upgrader.PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException($"Migration {result.ErrorScript?.Name} failed: {result.Error?.Message}", result.Error);
        }

        LogMigrated(result.Scripts.Count());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Schema migrations done; {Count} script(s) applied now")]
    partial void LogMigrated(int count);

    sealed class DbUpLog(ILogger logger) : IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) { }

        public void LogDebug(string format, params object[] args) { }

        public void LogInformation(string format, params object[] args) =>
            logger.LogInformation("DbUp: {Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));

        public void LogWarning(string format, params object[] args) =>
            logger.LogWarning("DbUp: {Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));

        public void LogError(string format, params object[] args) =>
            logger.LogError("DbUp: {Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));

        public void LogError(Exception ex, string format, params object[] args) =>
            logger.LogError(ex, "DbUp: {Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
    }
}
