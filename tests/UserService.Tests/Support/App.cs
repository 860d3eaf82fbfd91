using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;

[assembly: AssemblyFixture(typeof(App))]

namespace UserService.Tests.Support;

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

    /// <summary>The host's token lifetime: a day, longer than any run (the service's default is 15 minutes).</summary>
    public static TimeSpan TokenLifetime { get; } = TimeSpan.FromDays(1);

    /// <summary>Signed in as an admin of its own, so feature tests reach every route.</summary>
    public HttpClient Client { get; private set; } = null!;

    /// <summary>No credentials at all.</summary>
    public HttpClient Anonymous { get; private set; } = null!;

    /// <summary>The tests' own pool, for arranging and asserting rows; never the service's.</summary>
    public NpgsqlDataSource Db { get; } = new NpgsqlDataSourceBuilder(
        new NpgsqlConnectionStringBuilder(ConnectionString) { ApplicationName = "UserService.Tests", MaxPoolSize = 20 }.ConnectionString) { Name = "tests" }.Build();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Jwt:SigningKey", Identity.SigningKey);
        // The shared admin token lives as long as the run: with the 15-minute default, every later test would get
        // 401s, and a test that only forbids 5xx would pass on them.
        builder.UseSetting("Jwt:Lifetime", TokenLifetime.ToString("c", System.Globalization.CultureInfo.InvariantCulture));
        // Every in-memory request comes from one "address"; the per-address limit is tested on a real process.
        builder.UseSetting("Throttling:AddressPermitLimit", "1000000");
        // The suite signs up users from many tests at once on a busy machine, in this very process: admission control
        // (its own tests run a real process) must not turn a slow hash into a 503 here.
        builder.UseSetting("PasswordHashing:QueueLimit", "100000");
        builder.UseSetting("PasswordHashing:MaxQueueWait", "00:05:00");
    }

    public async ValueTask InitializeAsync()
    {
        Anonymous = CreateClient();
        Client = Anonymous;
        (_, Client) = await this.NewAdminAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await Db.DisposeAsync();
        await base.DisposeAsync();
    }
}
