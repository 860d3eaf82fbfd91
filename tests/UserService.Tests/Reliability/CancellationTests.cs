using System.Diagnostics;
using System.Net;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using UserService.Features.Users;
using UserService.Infrastructure.Database;
using Update = UserService.Features.Users.Update;

namespace UserService.Tests.Reliability;

/// <summary>A query never outlives its request: a client that leaves cancels it, and no query runs unbounded.</summary>
[Collection(ProcessCollection.Name)]
public sealed class CancellationTests(App app)
{
    [Fact]
    public async Task A_client_that_disconnects_gets_its_query_cancelled_in_postgresql_before_the_lock_is_released()
    {
        await using var service = ServiceProcess.Start();
        await service.WaitUntilReadyAsync();
        var user = await CreateAsync(service);

        await using var rowLock = await RowLock.TakeAsync(app.Db, user.Id);
        using var leave = new CancellationTokenSource();
        var patch = service.Client.PatchAsync($"/api/users/{user.Id}", Json.Of(new Update.Patch { FullName = "Abandoned" }), leave.Token);
        await RowLock.WaitForWaitersAsync(app.Db, service, 1);

        var clock = Stopwatch.StartNew();
        await leave.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => patch);
        var cancelledAfter = await RowLock.WaitForWaitersAsync(app.Db, service, 0);
        var states = await BackendStatesAsync(service);
        await rowLock.ReleaseAsync();

        var row = await app.RowAsync(user.Id);
        var next = await service.Client.GetAsync($"/api/users/{user.Id}");
        TestReport.Line($"Client left while its PATCH waited on a row lock: the query was gone from PostgreSQL {cancelledAfter.TotalMilliseconds:F0} ms later, " +
               $"the lock still held; backends then: {states}; row after release: version {row!.Version}, fullName {row.FullName}");

        Assert.Equal(("Ada Lovelace", 1L), (row.FullName, row.Version));
        Assert.DoesNotContain("active", states, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task A_query_that_runs_past_the_command_timeout_answers_503_and_is_cancelled()
    {
        var cs = new NpgsqlConnectionStringBuilder(App.ConnectionString) { CommandTimeout = 1 };
        await using var service = ServiceProcess.Start(cs.ConnectionString);
        await service.WaitUntilReadyAsync();
        var user = await CreateAsync(service);
        var clock = Stopwatch.StartNew();

        await using var rowLock = await RowLock.TakeAsync(app.Db, user.Id);
        var patch = await service.Client.ExchangeAsync(
            new(HttpMethod.Patch, $"/api/users/{user.Id}") { Content = Json.Of(new Update.Patch { FullName = "Too Slow" }) }, clock, "patch");
        var waiters = await RowLock.WaitersAsync(app.Db, service);
        await rowLock.ReleaseAsync();

        var row = await app.RowAsync(user.Id);
        TestReport.Line($"Command Timeout=1 while the row is locked: {patch}; lock waiters left {waiters}; row version {row!.Version}");
        patch.AssertRetryableProblem();
        Assert.InRange(patch.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(6));
        Assert.Equal(0, waiters);
        Assert.Equal(1L, row.Version);
        Assert.Contains(service.Output, l => l.Contains("Database unavailable, answering 503", StringComparison.Ordinal));
    }

    /// <summary>On connection strings of the test's own, so that an environment setting either keyword changes nothing here.</summary>
    [Theory]
    [InlineData("Host=db;Database=users", 10, 15)]
    [InlineData("Host=db;Database=users;Command Timeout=3;Timeout=4", 3, 4)]
    public void Every_query_has_a_bounded_command_timeout_unless_the_operator_sets_one(string configured, int command, int open)
    {
        var settings = new NpgsqlConnectionStringBuilder(ServiceConnectionString(configured));

        Assert.Equal((command, open), (settings.CommandTimeout, settings.Timeout));
    }

    [Fact]
    public void The_shared_data_source_runs_on_those_settings()
    {
        var configured = app.Services.GetRequiredService<IConfiguration>().GetConnectionString(DatabaseConnection.Name)!;
        var expected = new NpgsqlConnectionStringBuilder(ServiceConnectionString(configured));
        var actual = new NpgsqlConnectionStringBuilder(app.Services.GetRequiredService<NpgsqlDataSource>().ConnectionString);

        Assert.Equal((expected.CommandTimeout, expected.Timeout), (actual.CommandTimeout, actual.Timeout));
    }

    static string ServiceConnectionString(string configured) => DatabaseConnection.Read(
        new ConfigurationBuilder().AddInMemoryCollection([new($"ConnectionStrings:{DatabaseConnection.Name}", configured)]).Build()).Service;

    static async Task<UserResponse> CreateAsync(ServiceProcess service)
    {
        return (await service.Client.SignUpAsync(TestUsers.UniqueEmail("cancel"))).User;
    }

    async Task<string> BackendStatesAsync(ServiceProcess service)
    {
        await using var connection = await app.Db.OpenConnectionAsync();
        var states = await connection.QueryAsync<string>(
            "SELECT coalesce(state, '?') || ':' || left(coalesce(query, ''), 30) FROM pg_stat_activity WHERE application_name = @name",
            new { name = service.ApplicationName });
        return string.Join(" | ", states);
    }
}
