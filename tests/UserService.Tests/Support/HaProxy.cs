using System.Globalization;

namespace UserService.Tests.Support;

/// <summary>
/// HAProxy of its own (scripts/haproxy.sh on free ports, its folder under the temp folder) in front of service
/// instances, checking each one's <c>/health/ready</c> every <see cref="CheckInterval"/>, out after
/// <see cref="CheckFall"/> failures, back after as many successes. Disposing it stops HAProxy and deletes its folder.
/// </summary>
public sealed class HaProxy : IAsyncDisposable
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(500);
    public const int CheckFall = 2;

    readonly Dictionary<string, string> environment;
    readonly HttpClient stats;

    HaProxy(IEnumerable<int> backendPorts)
    {
        Port = ServiceProcess.FreePort();
        var statsPort = ServiceProcess.FreePort();
        Directory = Path.Combine(Path.GetTempPath(), $"userservice-haproxy-{Port}");
        environment = new()
        {
            ["HAPROXY_PORT"] = Port.ToString(CultureInfo.InvariantCulture),
            ["HAPROXY_STATS_PORT"] = statsPort.ToString(CultureInfo.InvariantCulture),
            ["HAPROXY_DIR"] = Directory,
            ["HAPROXY_BACKENDS"] = string.Join(' ', backendPorts.Select(p => $"127.0.0.1:{p}")),
            ["HAPROXY_CHECK_INTER_MS"] = CheckInterval.TotalMilliseconds.ToString(CultureInfo.InvariantCulture),
            ["HAPROXY_CHECK_FALL"] = CheckFall.ToString(CultureInfo.InvariantCulture),
            ["HAPROXY_CHECK_RISE"] = CheckFall.ToString(CultureInfo.InvariantCulture),
        };
        stats = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{statsPort}"), Timeout = TimeSpan.FromSeconds(5) };
    }

    /// <summary>Where clients connect.</summary>
    public int Port { get; }

    public string Directory { get; }

    public static async Task<HaProxy> StartAsync(IEnumerable<int> backendPorts)
    {
        var proxy = new HaProxy(backendPorts);
        await Scripts.RunAsync("haproxy.sh", "start", proxy.environment);
        return proxy;
    }

    /// <summary>
    /// What HAProxy's statistics say of each instance: its status (<c>UP</c>, <c>DOWN</c>, <c>UP 1/2</c>...) and how its
    /// last check ended (<c>L7OK</c>; <c>L7STS</c>, a wrong HTTP status; <c>L4CON</c>, connection refused...; HAProxy
    /// writes <c>* L7STS</c> while a check runs).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, (string Status, string Check)>> ServersAsync()
    {
        var csv = await stats.GetStringAsync("/stats;csv");
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].TrimStart('#', ' ').Split(',');
        int Column(string name) => Array.IndexOf(header, name);
        return lines.Skip(1).Select(l => l.Split(','))
            .Where(f => f[Column("pxname")] == "instances" && f[Column("svname")].StartsWith("instance", StringComparison.Ordinal))
            .ToDictionary(f => f[Column("svname")], f => (f[Column("status")], f[Column("check_status")].TrimStart('*', ' ')));
    }

    /// <summary>Waits until HAProxy routes to every instance again (all <c>UP</c>); fails after <paramref name="timeout"/>.</summary>
    public async Task WaitUntilAllUpAsync(TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        IReadOnlyDictionary<string, (string Status, string Check)> states;
        while ((states = await ServersAsync()).Values.Any(s => s.Status != "UP"))
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"HAProxy does not see every instance up: {string.Join(", ", states)}");
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        stats.Dispose();
        try
        {
            await Scripts.RunAsync("haproxy.sh", "stop", environment);
        }
        finally
        {
            if (System.IO.Directory.Exists(Directory))
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
        }
    }
}
