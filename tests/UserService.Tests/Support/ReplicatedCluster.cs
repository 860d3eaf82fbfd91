using System.Globalization;
using Npgsql;

namespace UserService.Tests.Support;

/// <summary>
/// A primary and a streaming standby of their own (scripts/replication.sh on free ports, data under the temp folder),
/// for the tests of standby reads and failover. Synchronous or not as asked: with a synchronous standby, commits on the
/// primary hang while the standby is down, so only a test that never stops the standby before the primary asks for it.
/// Disposing it stops both servers and deletes their data.
/// </summary>
public sealed class ReplicatedCluster : IAsyncDisposable
{
    readonly Dictionary<string, string> environment;

    ReplicatedCluster(bool synchronous)
    {
        PrimaryPort = ServiceProcess.FreePort();
        do
        {
            StandbyPort = ServiceProcess.FreePort();
        }
        while (StandbyPort == PrimaryPort);

        Directory = Path.Combine(Path.GetTempPath(), $"userservice-replication-{PrimaryPort}");
        environment = new()
        {
            ["PRIMARY_PORT"] = PrimaryPort.ToString(CultureInfo.InvariantCulture),
            ["STANDBY_PORT"] = StandbyPort.ToString(CultureInfo.InvariantCulture),
            ["REPLICATION_DIR"] = Directory,
            ["REPLICATION_SYNC"] = synchronous ? "1" : "0",
        };
    }

    public int PrimaryPort { get; }

    public int StandbyPort { get; }

    public string Directory { get; }

    public static async Task<ReplicatedCluster> StartAsync(bool synchronous)
    {
        var cluster = new ReplicatedCluster(synchronous);
        try
        {
            await cluster.RunAsync("start");
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Both hosts, the primary first, as the service is given them (Npgsql multi-host); short connect and command
    /// timeouts, so that the service answers 503 within seconds while no primary is to be had.
    /// </summary>
    public string ConnectionString => Build($"127.0.0.1:{PrimaryPort},127.0.0.1:{StandbyPort}");

    /// <summary>A data source for the test's own look at one server (the primary or the standby, by port).</summary>
    public NpgsqlDataSource CreateDataSource(int port) => NpgsqlDataSource.Create(
        new NpgsqlConnectionStringBuilder(Build($"127.0.0.1:{port}")) { ApplicationName = "UserService.Tests", CommandTimeout = 30, Pooling = false }.ConnectionString);

    /// <summary>A fast shutdown of the primary: every session ends, nothing new is accepted.</summary>
    public Task StopPrimaryAsync() => RunAsync("stop-primary");

    public Task StopStandbyAsync() => RunAsync("stop-standby");

    /// <summary><c>pg_ctl promote</c> on the standby, returning once it accepts writes.</summary>
    public Task PromoteAsync() => RunAsync("promote");

    public async ValueTask DisposeAsync() => await RunAsync("clean");

    static string Build(string hosts) => PostgresCluster.ConnectionStringFor(hosts);

    Task RunAsync(string command) => Scripts.RunAsync("replication.sh", command, environment);
}
