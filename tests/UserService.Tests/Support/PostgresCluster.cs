using System.Globalization;
using Npgsql;

namespace UserService.Tests.Support;

/// <summary>
/// A throwaway PostgreSQL cluster of its own (scripts/postgres.sh on a free port, data under the temp folder) for
/// tests that stop and start the database: the shared cluster of ./test.sh is never the one taken down.
/// Use it as a class fixture; disposing it stops the server and deletes its data.
/// </summary>
public sealed class PostgresCluster : IAsyncLifetime
{
    public PostgresCluster()
    {
        Port = ServiceProcess.FreePort();
        DataDirectory = Path.Combine(Path.GetTempPath(), $"userservice-pg-{Port}");
    }

    public int Port { get; }

    public string DataDirectory { get; }

    /// <summary>
    /// Short connect and command timeouts, so that the service answers 503 within seconds while the server is down.
    /// </summary>
    public string ConnectionString => ConnectionStringFor($"127.0.0.1:{Port}");

    /// <summary>The connection string of the tests' throwaway servers: <paramref name="hosts"/> is one or several <c>host:port</c>.</summary>
    public static string ConnectionStringFor(string hosts) => new NpgsqlConnectionStringBuilder
    {
        Host = hosts,
        Database = "users",
        Username = "postgres",
        Timeout = 2,
        CommandTimeout = 5,
    }.ConnectionString;

    public async ValueTask InitializeAsync() => await StartAsync();

    public Task StartAsync() => RunAsync("start");

    /// <summary>A fast shutdown: PostgreSQL terminates every session and refuses new ones until started again.</summary>
    public Task StopAsync() => RunAsync("stop");

    /// <summary>A fresh data source for the test's own assertions (not pooled across restarts: it is cleared first).</summary>
    public NpgsqlDataSource CreateDataSource() => NpgsqlDataSource.Create(
        new NpgsqlConnectionStringBuilder(ConnectionString) { ApplicationName = "UserService.Tests", CommandTimeout = 30 }.ConnectionString);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            if (Directory.Exists(DataDirectory))
            {
                Directory.Delete(DataDirectory, recursive: true);
            }

            File.Delete(DataDirectory + ".lock");
        }
    }

    // USERSERVICE_PG_DATA explicit, so that the one that ./test.sh exports (the shared cluster's) is never used here.
    Task RunAsync(string command) => Scripts.RunAsync("postgres.sh", command, new Dictionary<string, string>
    {
        ["USERSERVICE_PG_PORT"] = Port.ToString(CultureInfo.InvariantCulture),
        ["USERSERVICE_PG_DATA"] = DataDirectory,
    });
}
