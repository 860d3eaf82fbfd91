using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;

[assembly: AssemblyFixture(typeof(App))]

namespace UserService.Tests.Infrastructure;

/// <summary>
/// The one in-memory host of the test assembly (FastEndpoints keeps process-wide statics, so there is exactly one),
/// on the real PostgreSQL that ./test.sh starts, plus a separate small data source for asserting database state.
/// </summary>
public sealed class App : WebApplicationFactory<Program>, IAsyncLifetime
{
    public static string ConnectionString { get; } =
        Environment.GetEnvironmentVariable("ConnectionStrings__Users") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException("ConnectionStrings__Users is not set: run the tests with ./test.sh, which starts PostgreSQL.");

    public HttpClient Client { get; private set; } = null!;

    /// <summary>The tests' own pool, for arranging and asserting rows; never the service's.</summary>
    public NpgsqlDataSource Db { get; } = new NpgsqlDataSourceBuilder(
        new NpgsqlConnectionStringBuilder(ConnectionString) { ApplicationName = "UserService.Tests", MaxPoolSize = 20 }.ConnectionString).Build();

    protected override void ConfigureWebHost(IWebHostBuilder builder) => builder.UseEnvironment("Testing");

    public ValueTask InitializeAsync()
    {
        Client = CreateClient();
        return ValueTask.CompletedTask;
    }

    public override async ValueTask DisposeAsync()
    {
        await Db.DisposeAsync();
        await base.DisposeAsync();
    }
}
