using System.Data.Common;
using Dapper;
using Npgsql;

namespace UserService.Infrastructure.Database;

internal static class DatabaseExtensions
{
    public const string ConnectionStringName = "Users";

    /// <summary>
    /// Optional: the stamp listener's own connection string (StampListener), for when the service's goes through a pooler
    /// that cannot carry LISTEN, such as PgBouncer in transaction mode. Unset, the listener uses the service's.
    /// </summary>
    public const string ListenerConnectionStringName = "UsersListener";

    /// <summary>
    /// Seconds any one statement may run (Npgsql's <c>Command Timeout</c>), when the operator does not set it. Our
    /// statements take milliseconds; one that waits this long is blocked (a lock, an overloaded server) and answers
    /// 503 rather than holding its pooled connection and its client.
    /// </summary>
    public const int DefaultCommandTimeoutSeconds = 10;

    /// <summary>
    /// With several hosts, how long Npgsql trusts what it last saw of a host (primary, standby, down) when the operator
    /// does not set <c>Host Recheck Seconds</c>. Npgsql's 10 s default is also how long writes keep failing after a
    /// standby is promoted; a recheck costs one short query per host and interval, when a connection is next taken.
    /// </summary>
    public const int DefaultHostRecheckSeconds = 2;

    /// <summary>
    /// Registers the one <see cref="NpgsqlDataSource"/> of the process and the hosted service that opens it
    /// before the server accepts requests and disposes it after the server has drained them.
    /// </summary>
    public static WebApplicationBuilder AddDatabase(this WebApplicationBuilder builder)
    {
        var connectionString = ConnectionString(builder.Configuration);
        DefaultTypeMap.MatchNamesWithUnderscores = true;

        // Checked at start, so that a wrong target stops startup with one line (RunServiceAsync) like any invalid setting.
        var misdirected = WritesMissThePrimary(connectionString);
        var unusableListener = ListenerProblem(builder.Configuration);
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section)
            .Validate(_ => misdirected is null, misdirected ?? "")
            .Validate(_ => unusableListener is null, unusableListener ?? "")
            .ValidateOnStart();
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
    /// configuration wins. With several hosts (a primary and standbys), the data source's default target is the
    /// primary, where every write and every read that must see it goes (see <see cref="TargetSessions"/>).
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
        var parsed = new NpgsqlConnectionStringBuilder(configured);
        var given = new DbConnectionStringBuilder { ConnectionString = parsed.ConnectionString };
        var severalHosts = parsed.Host?.Contains(',', StringComparison.Ordinal) == true;
        var csb = new NpgsqlConnectionStringBuilder
        {
            ApplicationName = "UserService",
            CommandTimeout = DefaultCommandTimeoutSeconds,
            MaxAutoPrepare = 20,
            NoResetOnClose = true,
        };
        if (severalHosts)
        {
            csb.TargetSessionAttributes = "primary";
            csb.HostRecheckSeconds = DefaultHostRecheckSeconds;
        }

        foreach (string keyword in given.Keys)
        {
            csb[keyword] = given[keyword];
        }

        return csb.ConnectionString;
    }

    /// <summary>
    /// Why <c>ConnectionStrings:UsersListener</c> cannot be used, or null (also when it is not set). Npgsql's messages name
    /// the keyword at fault, never a value, so no password reaches the log.
    /// </summary>
    internal static string? ListenerProblem(IConfiguration configuration)
    {
        var configured = configuration.GetConnectionString(ListenerConnectionStringName);
        var setting = $"ConnectionStrings:{ListenerConnectionStringName} (env ConnectionStrings__{ListenerConnectionStringName})";
        if (string.IsNullOrWhiteSpace(configured))
        {
            return null;
        }

        try
        {
            return string.IsNullOrEmpty(new NpgsqlConnectionStringBuilder(configured).Host) ? $"{setting} names no Host." : null;
        }
        catch (ArgumentException e)
        {
            return $"{setting} is not a valid connection string: {e.Message}";
        }
    }

    /// <summary>
    /// Why writes could miss the primary, or null: with several hosts, every slice but the admin list writes, or must
    /// read its own writes, through the data source's default target, which must then be the primary.
    /// </summary>
    internal static string? WritesMissThePrimary(string connectionString)
    {
        var csb = new NpgsqlConnectionStringBuilder(connectionString);
        var target = csb.TargetSessionAttributes;
        if (csb.Host?.Contains(',', StringComparison.Ordinal) != true
            || string.Equals(target, "primary", StringComparison.OrdinalIgnoreCase)
            || string.Equals(target, "read-write", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return $"ConnectionStrings:{ConnectionStringName} names several hosts with Target Session Attributes={target}: writes need " +
               "primary (the default) or read-write; the admin list and search read from a standby by themselves when one is up.";
    }
}
