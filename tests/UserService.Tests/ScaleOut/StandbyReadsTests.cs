using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Dapper;
using Npgsql;
using UserService.Infrastructure.Database;
using List = UserService.Features.Users.List;
using Update = UserService.Features.Users.Update;

namespace UserService.Tests.ScaleOut;

/// <summary>
/// One data source, two hosts: the admin list and search read on the standby while it is up and on the primary once it
/// stops, with no 5xx; everything else stays on the primary. Asynchronous replication: the test stops the standby
/// under a running primary, which a synchronous standby would turn into hung commits.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class StandbyReadsTests
{
    /// <summary>The list's and the search's statements, and no other statement of the service.</summary>
    const string ListStatement = "%ORDER BY id%LIMIT%";

    [Fact]
    public async Task List_and_search_read_on_the_standby_and_on_the_primary_once_it_stops_with_no_5xx()
    {
        await using var cluster = await ReplicatedCluster.StartAsync(synchronous: false);
        await using var primary = cluster.CreateDataSource(cluster.PrimaryPort);
        await using var standby = cluster.CreateDataSource(cluster.StandbyPort);
        await using var service = ServiceProcess.Start(cluster.ConnectionString);
        await service.WaitUntilReadyAsync();

        var marker = $"Standby {Guid.NewGuid():N}";
        var id = (await service.Client.SignUpAsync(TestUsers.UniqueEmail("standby"), marker)).User.Id;
        await ReplayedAsync(standby, id);

        await SearchAsync(service, marker, id);
        Assert.Equal(HttpStatusCode.OK, (await service.Client.GetAsync("/api/users?limit=5")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await service.Client.GetAsync("/api/users/me")).StatusCode);
        Assert.True(await RanListAsync(standby, service), "the list and search should have run on the standby");
        Assert.False(await RanListAsync(primary, service), "the list and search should not run on the primary while the standby is up");
        Assert.True(await service.BackendCountAsync(primary) > 0, "sign-in, stamps and writes stay on the primary");

        await cluster.StopStandbyAsync();
        for (var i = 0; i < 10; i++)
        {
            await SearchAsync(service, marker, id);
            var page = await service.Client.GetAsync("/api/users?limit=5");
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.NotEmpty((await page.Content.ReadFromJsonAsync<List.Response>())!.Items);
        }

        Assert.True(await RanListAsync(primary, service), "with the standby down, the list and search should run on the primary");
        var patched = await service.Client.PatchAsync($"/api/users/{id}", Json.Of(new Update.Patch { FullName = "Still writable" }));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
    }

    [Fact]
    public async Task Npgsql_finding_no_suitable_host_counts_as_the_database_being_unavailable()
    {
        await using var cluster = await ReplicatedCluster.StartAsync(synchronous: false);
        // A primary wanted and only standbys to choose from: what the service meets between the loss of its primary and
        // the promotion of a standby. Npgsql's own exception, so that a change of its wording fails here.
        var onlyStandbys = new NpgsqlConnectionStringBuilder(cluster.ConnectionString)
        {
            Host = $"127.0.0.1:{cluster.StandbyPort},localhost:{cluster.StandbyPort}",
            TargetSessionAttributes = "primary",
        };
        await using var db = NpgsqlDataSource.Create(onlyStandbys.ConnectionString);

        var e = await Assert.ThrowsAnyAsync<NpgsqlException>(async () => await db.OpenConnectionAsync());

        Assert.Equal(NpgsqlFailures.NoSuitableHost, e.Message);
        Assert.True(NpgsqlFailures.IsUnavailable(e));
    }

    static async Task SearchAsync(ServiceProcess service, string marker, Guid id)
    {
        var rsp = await service.Client.GetAsync($"/api/users?q={Uri.EscapeDataString(marker)}");
        Assert.Equal(HttpStatusCode.OK, rsp.StatusCode);
        var found = Assert.Single((await rsp.Content.ReadFromJsonAsync<List.Response>())!.Items);
        Assert.Equal(id, found.Id);
    }

    /// <summary>Waits until the (asynchronous) standby has replayed the row, so that a search there can find it.</summary>
    static async Task ReplayedAsync(NpgsqlDataSource standby, Guid id)
    {
        var clock = Stopwatch.StartNew();
        await using var connection = await standby.OpenConnectionAsync();
        while (await connection.ExecuteScalarAsync<int>("SELECT count(*)::int FROM users WHERE id = @id", new { id }) == 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the standby did not replay the new user");
            await Task.Delay(50);
        }
    }

    /// <summary>Whether one of the service's connections to this server last ran the list or the search (pg_stat_activity keeps the last statement).</summary>
    static async Task<bool> RanListAsync(NpgsqlDataSource server, ServiceProcess service)
    {
        await using var connection = await server.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT FROM pg_stat_activity WHERE application_name = @name AND query LIKE @statement)",
            new { name = service.ApplicationName, statement = ListStatement });
    }
}
