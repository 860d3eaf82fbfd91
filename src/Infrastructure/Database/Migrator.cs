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
        await LockAsync(lockConnection, "SELECT pg_advisory_lock(@key)", cancellationToken);
        Upgrade();

        // Explicitly: with No Reset On Close (a default, see DatabaseExtensions) nothing else releases the lock when
        // the connection returns to the pool, and the next instance would wait on it for good. (On failure the
        // process exits, which closes the connection and so releases the lock.)
        await LockAsync(lockConnection, "SELECT pg_advisory_unlock(@key)", cancellationToken);
    }

    static async Task LockAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("key", LockKey);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    void Upgrade()
    {
        // DbUp opens its own connection, unpooled so that it closes when DbUp is done instead of idling outside
        // the data source's pool (and its Maximum Pool Size) for minutes.
        var connectionString = new NpgsqlConnectionStringBuilder(DatabaseExtensions.ConnectionString(configuration)) { Pooling = false };
        var upgrader = DeployChanges.To
            .PostgresqlDatabase(connectionString.ConnectionString)
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
