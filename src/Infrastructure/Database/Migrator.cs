using DbUp;
using DbUp.Engine.Output;
using Npgsql;

namespace UserService.Infrastructure.Database;

/// <summary>
/// Applies the embedded <c>Migrations/*.sql</c> scripts with DbUp, under a PostgreSQL advisory lock so that
/// several instances starting at once apply each script exactly once.
/// </summary>
internal sealed partial class Migrator(NpgsqlDataSource dataSource, DatabaseConnection connection, ILogger<Migrator> logger)
{
    // Any constant works; it only has to be the same for every instance of this service.
    const long LockKey = 0x5573657253766331;

    const int MigrationCommandTimeoutSeconds = 600;

    public const string MigrationsName = "users-migrations";

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
            // process's only pool. The lock above is held by this session until it is released. A named data source:
            // Npgsql labels metrics with the name, and with the connection string (host, user, database) without one.
            await using var migrations = new NpgsqlDataSourceBuilder(UnpooledConnectionString()) { Name = MigrationsName }.Build();
            var upgrader = DeployChanges.To
                .PostgresqlDatabase(new DbUp.Postgresql.PostgresqlConnectionManager(migrations))
                .WithScriptsEmbeddedInAssembly(typeof(Migrator).Assembly, name => name.Contains(".Migrations.", StringComparison.Ordinal))
                .WithTransactionPerScript()
                .LogTo(new DbUpLog(logger))
                .Build();

            var result = upgrader.PerformUpgrade();
            if (!result.Successful)
            {
                throw Failed(result.ErrorScript?.Name, result.Error);
            }

            LogMigrated(result.Scripts.Count(), string.Join(", ", result.Scripts.Select(script => script.Name)));
        }
        finally
        {
            await ExecuteAsync(lockConnection, "SELECT pg_advisory_unlock(@key)", CancellationToken.None);
        }
    }

    /// <summary>
    /// One line naming the script and what PostgreSQL said (<c>Migration 0004_x.sql failed: 42P07: relation "x" already
    /// exists</c>), for the operator to fix by hand: retrying would fail the same way. No connection string appears in it.
    /// </summary>
    StartupException Failed(string? script, Exception? error)
    {
        // DbUp names an embedded script by its resource name: UserService.Infrastructure.Database.Migrations.0004_x.sql.
        const string Folder = ".Migrations.";
        var at = script?.IndexOf(Folder, StringComparison.Ordinal) ?? -1;
        var name = at < 0 ? script ?? "(unknown script)" : script![(at + Folder.Length)..];
        var said = error is PostgresException pg ? $"{pg.SqlState}: {pg.MessageText}" : error?.Message ?? "no error reported";
        var message = $"Migration {name} failed: {said}; startup stopped.";
        LogFailed(message);
        return new StartupException(message, error);
    }

    string UnpooledConnectionString() =>
        new NpgsqlConnectionStringBuilder(dataSource.ConnectionString)
        {
            Password = connection.Password,
            Pooling = false,
            // A migration may build an index over a large table: the request path's short default does not apply.
            CommandTimeout = MigrationCommandTimeoutSeconds,
        }.ConnectionString;

    static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        command.Parameters.AddWithValue("key", LockKey);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Schema migrations done; {Count} script(s) applied now: {Scripts}")]
    partial void LogMigrated(int count, string scripts);

    [LoggerMessage(Level = LogLevel.Critical, Message = "{Message}")]
    partial void LogFailed(string message);

    /// <summary>
    /// DbUp's own messages at Debug, its errors included: a failed script is reported once, by <see cref="Failed"/>,
    /// rather than by DbUp's several lines and stack trace.
    /// </summary>
    sealed class DbUpLog(ILogger logger) : IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) { }

        public void LogDebug(string format, params object[] args) { }

        public void LogInformation(string format, params object[] args) =>
            logger.LogDebug("DbUp: {Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));

        public void LogWarning(string format, params object[] args) =>
            logger.LogWarning("DbUp: {Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));

        public void LogError(string format, params object[] args) =>
            logger.LogDebug("DbUp: {Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));

        public void LogError(Exception ex, string format, params object[] args) =>
            logger.LogDebug(ex, "DbUp: {Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
    }
}
