using System.Data.Common;
using Dapper;
using Npgsql;

namespace UserService.Infrastructure.Database;

internal static class DatabaseExtensions
{
    public const string ConnectionStringName = "Users";

    /// <summary>
    /// Seconds any one statement may run (Npgsql's <c>Command Timeout</c>), when the operator does not set it. Our
    /// statements take milliseconds; one that waits this long is blocked (a lock, an overloaded server) and answers
    /// 503 rather than holding its pooled connection and its client.
    /// </summary>
    public const int DefaultCommandTimeoutSeconds = 10;

    /// <summary>
    /// Registers the one <see cref="NpgsqlDataSource"/> of the process and the hosted service that opens it
    /// before the server accepts requests and disposes it after the server has drained them.
    /// </summary>
    public static WebApplicationBuilder AddDatabase(this WebApplicationBuilder builder)
    {
        var connectionString = ConnectionString(builder.Configuration);
        DefaultTypeMap.MatchNamesWithUnderscores = true;

        builder.Services.Configure<DatabaseOptions>(builder.Configuration.GetSection(DatabaseOptions.Section));
        builder.Services.AddNpgsqlDataSource(connectionString, b => b.Name = "users");
        builder.Services.AddSingleton<DatabaseState>();
        builder.Services.AddSingleton<Migrator>();
        builder.Services.AddHostedService<DatabaseLifecycle>();
        return builder;
    }

    /// <summary>
    /// The configured connection string over the service's defaults: the application name, and the pool settings
    /// that bench/README.md measured (statements prepared on each physical connection; no session reset when a
    /// connection returns to the pool, since no code leaves session state behind). Any keyword set in
    /// configuration wins.
    /// </summary>
    internal static string ConnectionString(IConfiguration configuration)
    {
        var configured = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(configured))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionStringName} is not set (env ConnectionStrings__{ConnectionStringName}). " +
                "Start the service with ./run.sh to get the embedded PostgreSQL.");
        }

        // Npgsql writes back only what was given, under canonical keywords; those win over the defaults below.
        // (Timeout, for opening a connection and for waiting for a pooled one, keeps Npgsql's 15 s default.)
        var given = new DbConnectionStringBuilder { ConnectionString = new NpgsqlConnectionStringBuilder(configured).ConnectionString };
        var csb = new NpgsqlConnectionStringBuilder
        {
            ApplicationName = "UserService",
            CommandTimeout = DefaultCommandTimeoutSeconds,
            MaxAutoPrepare = 20,
            NoResetOnClose = true,
        };
        foreach (string keyword in given.Keys)
        {
            csb[keyword] = given[keyword];
        }

        return csb.ConnectionString;
    }
}
