using System.Data.Common;
using Npgsql;

namespace UserService.Infrastructure.Database;

/// <summary>
/// The connection strings, read once from configuration: <c>ConnectionStrings:Users</c> over the service's defaults, and
/// the optional <c>ConnectionStrings:UsersListener</c>. Both keep their passwords (the data source does not give its own
/// back), for the connections opened outside the pool: the migrations' and the stamp listener's.
/// </summary>
internal sealed class DatabaseConnection
{
    public const string Name = "Users";

    /// <summary>
    /// Optional: the stamp listener's own connection string (StampListener), for when the service's goes through a pooler
    /// that cannot carry LISTEN, such as PgBouncer in transaction mode. Unset, the listener uses the service's.
    /// </summary>
    public const string ListenerName = "UsersListener";

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
    /// Stands in for a connection string that is missing or does not parse, so that the data source can still be
    /// registered: it is never opened, since <see cref="Problem"/> stops startup before any hook runs.
    /// </summary>
    const string Unusable = "Host=unusable.invalid";

    DatabaseConnection(string service, string? listener, string? problem) => (Service, Listener, Problem) = (service, listener, problem);

    /// <summary>The service's connection string, with its password and the defaults of <see cref="WithDefaults"/>.</summary>
    public string Service { get; }

    /// <summary><c>ConnectionStrings:UsersListener</c> as configured, or null when it is not set.</summary>
    public string? Listener { get; }

    /// <summary>Why startup must stop, in one line without any value (so no password), or null.</summary>
    public string? Problem { get; }

    public string Password => new NpgsqlConnectionStringBuilder(Service).Password ?? "";

    public static DatabaseConnection Read(IConfiguration configuration)
    {
        var configured = configuration.GetConnectionString(Name);
        var listener = configuration.GetConnectionString(ListenerName);
        listener = string.IsNullOrWhiteSpace(listener) ? null : listener;
        var setting = $"ConnectionStrings:{Name} (env ConnectionStrings__{Name})";
        if (string.IsNullOrWhiteSpace(configured))
        {
            return new(Unusable, listener, $"{setting} is not set. Start the service with ./run.sh to get the embedded PostgreSQL.");
        }

        string service;
        try
        {
            service = WithDefaults(configured);
        }
        catch (ArgumentException e)
        {
            // Npgsql's messages name the keyword at fault, never a value.
            return new(Unusable, listener, $"{setting} is not a valid connection string: {e.Message}");
        }

        return new(service, listener, WritesMissThePrimary(service) ?? ListenerProblem(listener));
    }

    /// <summary>
    /// The configured connection string over the service's defaults: the application name, and the pool settings
    /// that bench/README.md measured (statements prepared on each physical connection; no session reset when a
    /// connection returns to the pool, since no code leaves session state behind). Any keyword set in
    /// configuration wins. With several hosts (a primary and standbys), the data source's default target is the
    /// primary, where every write and every read that must see it goes (see <see cref="TargetSessions"/>).
    /// </summary>
    static string WithDefaults(string configured)
    {
        // Npgsql writes back only what was given, under canonical keywords; those win over the defaults below.
        // (Timeout, for opening a connection and for waiting for a pooled one, keeps Npgsql's 15 s default.)
        var parsed = new NpgsqlConnectionStringBuilder(configured);
        var given = new DbConnectionStringBuilder { ConnectionString = parsed.ConnectionString };
        var csb = new NpgsqlConnectionStringBuilder
        {
            ApplicationName = "UserService",
            CommandTimeout = DefaultCommandTimeoutSeconds,
            MaxAutoPrepare = 20,
            NoResetOnClose = true,
        };
        if (parsed.Host?.Contains(',', StringComparison.Ordinal) == true)
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
    /// Why writes could miss the primary, or null: with several hosts, every slice but the admin list writes, or must
    /// read its own writes, through the data source's default target, which must then be the primary.
    /// </summary>
    static string? WritesMissThePrimary(string connectionString)
    {
        var csb = new NpgsqlConnectionStringBuilder(connectionString);
        var target = csb.TargetSessionAttributes;
        if (csb.Host?.Contains(',', StringComparison.Ordinal) != true
            || string.Equals(target, "primary", StringComparison.OrdinalIgnoreCase)
            || string.Equals(target, "read-write", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return $"ConnectionStrings:{Name} names several hosts with Target Session Attributes={target}: writes need " +
               "primary (the default) or read-write; the admin list and search read from a standby by themselves when one is up.";
    }

    /// <summary>Why <c>ConnectionStrings:UsersListener</c> cannot be used, or null (also when it is not set).</summary>
    static string? ListenerProblem(string? listener)
    {
        var setting = $"ConnectionStrings:{ListenerName} (env ConnectionStrings__{ListenerName})";
        try
        {
            return listener is not null && string.IsNullOrEmpty(new NpgsqlConnectionStringBuilder(listener).Host) ? $"{setting} names no Host." : null;
        }
        catch (ArgumentException e)
        {
            return $"{setting} is not a valid connection string: {e.Message}";
        }
    }
}
