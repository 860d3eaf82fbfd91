using System.Diagnostics;
using System.Net;
using System.Reflection;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using Update = UserService.Features.Users.Update;

namespace UserService.Tests.Infrastructure;

/// <summary>The promise of the project: one pool, opened before the first request, disposed after the last.</summary>
[Collection(ProcessCollection.Name)]
public sealed class LifecycleTests(App app)
{
    [Fact]
    public void Every_endpoint_that_takes_a_data_source_resolves_the_one_shared_data_source()
    {
        var shared = app.Services.GetRequiredService<NpgsqlDataSource>();
        var endpointTypes = typeof(Program).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(BaseEndpoint)) && !t.IsAbstract)
            .ToList();
        var takers = endpointTypes
            .Where(t => t.GetConstructors().Any(c => c.GetParameters().Any(p => p.ParameterType == typeof(NpgsqlDataSource))))
            .ToList();
        Assert.NotEmpty(takers);

        using var scope = app.Services.CreateScope();
        foreach (var type in endpointTypes)
        {
            // An endpoint that needs no database passes; whatever data source an endpoint holds, directly or through a
            // service it was given, must be the shared one.
            var sources = DataSourcesIn(ActivatorUtilities.CreateInstance(scope.ServiceProvider, type), depth: 2).ToList();
            if (takers.Contains(type))
            {
                Assert.True(sources.Count > 0, $"{type.FullName} takes the data source by constructor but does not keep it");
            }

            Assert.All(sources, source => Assert.True(ReferenceEquals(shared, source), $"{type.FullName} holds a data source other than the shared one"));
        }

        Assert.Same(shared, app.Services.GetRequiredService<NpgsqlDataSource>());
    }

    [Fact]
    public void Every_startup_hook_and_health_check_that_holds_a_data_source_holds_the_shared_one()
    {
        var shared = app.Services.GetRequiredService<NpgsqlDataSource>();
        using var scope = app.Services.CreateScope();
        var hooks = app.Services.GetServices<IHostedService>().Where(h => h.GetType().Assembly == typeof(Program).Assembly).Cast<object>();
        var checks = app.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations
            .Select(r => (object)r.Factory(scope.ServiceProvider));

        var holders = hooks.Concat(checks).Select(h => (Name: h.GetType().Name, Sources: DataSourcesIn(h, depth: 2).ToList())).ToList();

        // The migrating hook, the first-admin hook, the stamp listener (through the stamps it keeps), the cleanup and the
        // readiness check all use the database.
        Assert.True(holders.Count(h => h.Sources.Count > 0) >= 5, string.Join(", ", holders.Select(h => $"{h.Name}: {h.Sources.Count}")));
        Assert.All(holders.SelectMany(h => h.Sources.Select(s => (h.Name, Source: s))),
            held => Assert.True(ReferenceEquals(shared, held.Source), $"{held.Name} holds a data source other than the shared one"));
    }

    static IEnumerable<NpgsqlDataSource> DataSourcesIn(object instance, int depth)
    {
        foreach (var field in instance.GetType().GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public))
        {
            var value = field.GetValue(instance);
            if (value is NpgsqlDataSource source)
            {
                yield return source;
            }
            else if (depth > 1 && value is not null && field.FieldType.Assembly == typeof(Program).Assembly && !field.FieldType.IsValueType)
            {
                foreach (var inner in DataSourcesIn(value, depth - 1))
                {
                    yield return inner;
                }
            }
        }
    }

    [Fact]
    public async Task Under_200_concurrent_requests_backends_never_exceed_maximum_pool_size()
    {
        const int maxPool = 5;
        // The service connects as a role of its own that PostgreSQL lets hold the pool's connections and the stamp
        // listener's one, no more: a breach between two samples cannot pass unseen, as the extra connection is refused
        // and its request fails.
        var role = $"pool_cap_{Guid.NewGuid():N}"[..24];
        await using (var admin = await app.Db.OpenConnectionAsync())
        {
            await admin.ExecuteAsync($"""
                CREATE ROLE {role} LOGIN CONNECTION LIMIT {maxPool + 1};
                GRANT USAGE ON SCHEMA public TO {role};
                GRANT ALL ON ALL TABLES IN SCHEMA public TO {role};
                GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role};
                """);
        }

        try
        {
            await WithinThePoolCapAsync(new NpgsqlConnectionStringBuilder(App.ConnectionString) { Username = role, MaxPoolSize = maxPool }, maxPool);
        }
        finally
        {
            await using var admin = await app.Db.OpenConnectionAsync();
            await admin.ExecuteAsync($"DROP OWNED BY {role}; DROP ROLE IF EXISTS {role}");
        }
    }

    async Task WithinThePoolCapAsync(NpgsqlConnectionStringBuilder cs, int maxPool)
    {
        await using var service = ServiceProcess.Start(cs.ConnectionString);
        await service.WaitUntilReadyAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add((await service.Client.SignUpAsync(TestUsers.UniqueEmail("pool"), $"Pool {i}")).User.Id);
        }

        var peak = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, await service.BackendCountAsync(app.Db));
                await Task.Delay(10);
            }
        });

        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => (i % 4) switch
        {
            0 => service.Client.GetAsync($"/api/users/{ids[i % ids.Count]}"),
            1 => service.Client.GetAsync("/api/users?limit=20"),
            2 => service.Client.PatchAsync($"/api/users/{ids[i % ids.Count]}", Json.Of(new Update.Patch { FullName = $"Patched {i}" })),
            _ => service.Client.GetAsync($"/api/users?q=pool&limit=5"),
        }));
        await sampling.CancelAsync();
        await sampler;

        TestReport.Line($"200 concurrent requests, Maximum Pool Size={maxPool}: peak backends {peak}; statuses {string.Join(", ", responses.GroupBy(r => (int)r.StatusCode).Select(g => $"{g.Key}x{g.Count()}"))}");
        Assert.All(responses, r => Assert.True(r.IsSuccessStatusCode, $"{r.RequestMessage?.Method} {r.RequestMessage?.RequestUri} gave {(int)r.StatusCode}"));
        Assert.InRange(peak, 1, maxPool);
    }

    [Fact]
    public async Task Sigterm_lets_the_in_flight_request_finish_then_disposes_the_pool_and_exits_0()
    {
        await using var service = ServiceProcess.Start();
        await service.WaitUntilReadyAsync();
        var (user, _) = await app.CreateAsync(fullName: "Before Shutdown");

        // Hold the row lock from the tests' own connection, so the service's PATCH is provably in flight.
        await using var rowLock = await RowLock.TakeAsync(app.Db, user.Id);
        var patch = service.Client.PatchAsync($"/api/users/{user.Id}", Json.Of(new Update.Patch { FullName = "During Shutdown" }));
        await RowLock.WaitForWaitersAsync(app.Db, service, 1);

        var clock = Stopwatch.StartNew();
        service.Signal(ServiceProcess.SigTerm);
        await service.WaitForOutputAsync(ServiceProcess.ShuttingDown, TimeSpan.FromSeconds(10));
        Assert.False(service.HasExited, "the process must wait for the in-flight request");
        await rowLock.ReleaseAsync();

        var rsp = await patch;
        var exitCode = await service.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var backends = await service.BackendCountAsync(app.Db);
        TestReport.Line($"SIGTERM with one request in flight: request answered {(int)rsp.StatusCode}, exit code {exitCode} after {clock.ElapsedMilliseconds} ms, backends left {backends}");

        Assert.Equal(HttpStatusCode.OK, rsp.StatusCode);
        Assert.Equal("During Shutdown", (await app.RowAsync(user.Id))!.FullName);
        Assert.Equal(0, exitCode);
        Assert.Equal(0, backends);
        Assert.Contains(service.Output, l => l.Contains("Data source disposed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unreachable_database_at_startup_is_retried_then_the_process_exits_1_with_one_clear_line()
    {
        var deadPort = ServiceProcess.FreePort();
        var cs = $"Host=127.0.0.1;Port={deadPort};Database=users;Username=postgres;Password=hunter2-do-not-log";
        var clock = Stopwatch.StartNew();
        await using var service = ServiceProcess.Start(cs, new Dictionary<string, string> { ["Database__StartupDeadline"] = "00:00:04" });

        var exitCode = await service.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var output = service.Output;
        var attempts = output.Count(l => l.Contains("Database attempt", StringComparison.Ordinal));
        var verdict = output.Where(l => l.Contains("Database unreachable", StringComparison.Ordinal)).ToList();
        TestReport.Line($"Unreachable database, 4 s deadline: exit code {exitCode} after {clock.ElapsedMilliseconds} ms, {attempts} attempts logged; {string.Join(" | ", verdict)}");

        Assert.Equal(1, exitCode);
        Assert.True(attempts >= 3, $"expected retries with backoff, saw {attempts}");
        var line = Assert.Single(verdict);
        Assert.Contains($"host=127.0.0.1 port={deadPort} database=users", line, StringComparison.Ordinal);
        Assert.DoesNotContain(output, l => l.Contains("hunter2", StringComparison.Ordinal));
        Assert.DoesNotContain(output, l => l.Contains("   at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Instances_starting_at_once_apply_each_migration_exactly_once()
    {
        await using var database = await ScratchDatabase.CreateAsync(app, "lifecycle");
        var cs = database.ConnectionString;
        var services = Enumerable.Range(0, 3).Select(_ => ServiceProcess.Start(cs)).ToList();
        try
        {
            await Task.WhenAll(services.Select(s => s.WaitUntilReadyAsync()));
        }
        finally
        {
            foreach (var service in services)
            {
                await service.DisposeAsync();
            }
        }

        await using var connection = await database.OpenAsync();
        var applied = (await connection.QueryAsync<string>("SELECT scriptname FROM schemaversions")).ToList();
        TestReport.Line($"3 instances on an empty database: {applied.Count} migration row(s): {string.Join(", ", applied)}");
        Assert.Equal(applied.Distinct().Count(), applied.Count);
        Assert.Contains(applied, s => s.EndsWith("0001_create_users.sql", StringComparison.Ordinal));
    }
}
