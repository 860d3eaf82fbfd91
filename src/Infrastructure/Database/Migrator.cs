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
        // Session-level lock: released explicitly, because a pooled connection keeps its session (and its
        // locks) after it is returned. No command timeout on the wait: another instance may legitimately be
        // migrating for a while; stopping the host cancels it.
        await using var lockConnection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(lockConnection, "SELECT pg_advisory_lock(@key)", cancellationToken);
        try
        {
            // DbUp opens its own connection, unpooled so that it closes at once and the data source stays the
            // process's only pool. The lock above is held by this session until it is released.
            var upgrader = DeployChanges.To
                .PostgresqlDatabase(UnpooledConnectionString())
                .WithScriptsEmbeddedInAssembly(typeof(Migrator).Assembly, name => name.Contains(".Migrations.", StringComparison.Ordinal))
                .WithTransactionPerScript()
                .LogTo(new DbUpLog(logger))
                .Build();

            var result = upgrader.PerformUpgrade();
            if (!result.Successful)
            {
                throw new InvalidOperationException($"Migration {result.ErrorScript?.Name} failed: {result.Error?.Message}", result.Error);
            }

            LogMigrated(result.Scripts.Count(), string.Join(", ", result.Scripts.Select(script => script.Name)));
        }
        finally
        {
            await ExecuteAsync(lockConnection, "SELECT pg_advisory_unlock(@key)", CancellationToken.None);
        }
    }

    string UnpooledConnectionString() =>
        new NpgsqlConnectionStringBuilder(dataSource.ConnectionString)
        {
            Password = new NpgsqlConnectionStringBuilder(configuration.GetConnectionString(DatabaseExtensions.ConnectionStringName)).Password,
            Pooling = false,
        }.ConnectionString;

    static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        command.Parameters.AddWithValue("key", LockKey);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Schema migrations done; {Count} script(s) applied now: {Scripts}")]
    partial void LogMigrated(int count, string scripts);

    sealed class DbUpLog(ILogger logger) : IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) { }

        public void LogDebug(string format, params object[] args) { }

        public void LogInformation(string format, params object[] args) =>
            logger.LogDebug("DbUp: {Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));

        public void LogWarning(string format, params object[] args) =>
            logger.LogWarning("DbUp: {Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));

        public void LogError(string format, params object[] args) =>
            logger.LogError("DbUp: {Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));

        public void LogError(Exception ex, string format, params object[] args) =>
            logger.LogError(ex, "DbUp: {Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
    }
}
