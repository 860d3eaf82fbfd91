using System.Net;
using System.Text.RegularExpressions;

namespace UserService.Tests.Infrastructure;

public sealed partial class MetricsTests(App app)
{
    [Fact]
    public async Task Metrics_show_the_shared_pools_connections_by_state()
    {
        // A request that takes a connection from the pool and gives it back.
        (await app.Client.GetAsync("/health/ready")).EnsureSuccessStatusCode();

        var metrics = await ScrapeAsync();

        // Npgsql's meter labels the pool with the data source's name ("users"), one series per state.
        var idle = Assert.Single(PoolConnectionCount().Matches(metrics), m => m.Groups["state"].Value == "idle");
        var used = Assert.Single(PoolConnectionCount().Matches(metrics), m => m.Groups["state"].Value == "used");
        // Idle or, if a test running alongside took it meanwhile, used: the pool still holds it.
        Assert.True(Count(idle) + Count(used) >= 1,
            $"the pool should hold at least the connection that /health/ready returned:\n{idle.Value}\n{used.Value}");
        Assert.Matches(PoolMax(), metrics);
    }

    [Fact]
    public async Task Pool_labels_are_names_never_connection_string_fragments()
    {
        (await app.Client.GetAsync("/health/ready")).EnsureSuccessStatusCode();

        var metrics = await ScrapeAsync();

        // The in-memory host shares the meter with the tests' own pools (application name UserService.Tests): only
        // the service's pools are judged here; ExposureTests scrapes a real process, where only those exist.
        var pools = PoolName().Matches(metrics).Select(m => m.Groups["name"].Value).Distinct()
            .Where(p => !p.Contains("Application Name=UserService.Tests", StringComparison.Ordinal) && p != "tests").ToList();
        Assert.Contains("users", pools);
        Assert.All(pools, p => Assert.Contains(p, new[] { "users", "users-migrations", "users-listener" }));
    }

    [Fact]
    public async Task Metrics_show_http_server_request_durations()
    {
        (await app.Client.GetAsync("/health/live")).EnsureSuccessStatusCode();

        var metrics = await ScrapeAsync();

        Assert.Contains("http_server_request_duration_seconds_count{", metrics, StringComparison.Ordinal);
    }

    static int Count(Match series) => int.Parse(series.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture);

    async Task<string> ScrapeAsync()
    {
        var rsp = await app.Client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, rsp.StatusCode);
        Assert.Equal("text/plain", rsp.Content.Headers.ContentType?.MediaType);
        return await rsp.Content.ReadAsStringAsync();
    }

    [GeneratedRegex("""^db_client_connection_count\{(?=[^}]*db_client_connection_pool_name="users")(?=[^}]*db_client_connection_state="(?<state>\w+)")[^}]*\} (?<value>\d+)""", RegexOptions.Multiline)]
    private static partial Regex PoolConnectionCount();

    [GeneratedRegex("db_client_connection_pool_name=\"(?<name>[^\"]*)\"")]
    private static partial Regex PoolName();

    [GeneratedRegex("""^db_client_connection_max\{[^}]*db_client_connection_pool_name="users"[^}]*\} \d+""", RegexOptions.Multiline)]
    private static partial Regex PoolMax();
}
