using Dapper;
using Npgsql;

namespace UserService.Tests.Infrastructure;

/// <summary>What stops startup stops it with one line, exit code 1, no stack trace and no secret.</summary>
[Collection(ProcessCollection.Name)]
public sealed class StartupRefusalTests(App app)
{
    const string Secret = "pg-secret-do-not-log";

    [Theory]
    [InlineData("ConnectionStrings__Users", $"Host=127.0.0.1;Password={Secret};Port=not-a-port", "ConnectionStrings:Users (env ConnectionStrings__Users) is not a valid connection string: Couldn't set port")]
    [InlineData("ConnectionStrings__Users", $"Host=127.0.0.1:1,127.0.0.1:2;Password={Secret};Target Session Attributes=prefer-standby", "Target Session Attributes=prefer-standby: writes need primary")]
    [InlineData("ConnectionStrings__UsersListener", $"Host=127.0.0.1;Password={Secret};Port=not-a-port", "ConnectionStrings:UsersListener (env ConnectionStrings__UsersListener) is not a valid connection string: Couldn't set port")]
    [InlineData("ConnectionStrings__UsersListener", $"Password={Secret};Username=someone", "ConnectionStrings:UsersListener (env ConnectionStrings__UsersListener) names no Host")]
    [InlineData("Database__StartupDeadline", "00:00:00", "Database: StartupDeadline and MaxRetryDelay must be above zero")]
    [InlineData("Jwt__Lifetime", "00:00:00", "Jwt: Lifetime must be above zero")]
    [InlineData("Throttling__Window", "00:00:00", "Throttling: AccountPermitLimit and AddressPermitLimit must be at least 1")]
    [InlineData("Sessions__IdleTimeout", "00:00:00", "Sessions: IdleTimeout must be above zero")]
    [InlineData("Admin__Email", "root@example.com", "Admin: Email and Password (env Admin__Email, Admin__Password) must be set together")]
    [InlineData("PasswordHashing__QueueLimit", "0", "PasswordHashing: QueueLimit must be at least 1")]
    [InlineData("Proxies__KnownNetworks__0", "10.0.0.0/33", "Proxies: every KnownProxies entry must be an IP address")]
    [InlineData("Shutdown__DrainDelay", "-00:00:01", "Shutdown: DrainDelay must be zero or more")]
    [InlineData("Metrics__Port", "70000", "Metrics: Port must be from 1 to 65535")]
    [InlineData("Metrics__Port", "abc", "Failed to convert configuration value 'abc' at 'Metrics:Port' to type 'System.Int32'")]
    [InlineData("Jwt__Lifetime", "abc", "Failed to convert configuration value 'abc' at 'Jwt:Lifetime' to type 'System.TimeSpan'")]
    [InlineData("Throttling__Window", "abc", "Failed to convert configuration value 'abc' at 'Throttling:Window' to type 'System.TimeSpan'")]
    [InlineData("Api__ExposeOpenApi", "maybe", "Failed to convert configuration value 'maybe' at 'Api:ExposeOpenApi' to type 'System.Boolean'")]
    public async Task An_invalid_setting_stops_startup_with_one_line_exit_code_1_and_no_secret(string key, string value, string reason)
    {
        // The database is unreachable on purpose: settings are checked before any hook runs, so none is tried.
        var cs = $"Host=127.0.0.1;Port={ServiceProcess.FreePort()};Database=users;Username=postgres;Password={Secret}";
        await using var service = ServiceProcess.Start(cs, new Dictionary<string, string> { [key] = value });

        Assert.Equal(1, await service.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var line = Assert.Single(service.Output, l => l.Contains("crit:", StringComparison.Ordinal));
        TestReport.Line($"{key}: {line}");
        Assert.Contains(reason, line, StringComparison.Ordinal);
        Assert.DoesNotContain(service.Output, l => l.Contains("Database attempt", StringComparison.Ordinal));
        AssertOneClearLine(service, Secret);
    }

    [Fact]
    public async Task Several_invalid_settings_stop_startup_with_one_line_naming_each()
    {
        var cs = $"Host=127.0.0.1;Port={ServiceProcess.FreePort()};Database=users;Username=postgres;Password={Secret}";
        await using var service = ServiceProcess.Start(cs, new Dictionary<string, string>
        {
            ["Sessions__IdleTimeout"] = "00:00:00",
            ["Database__StartupDeadline"] = "soon",
            ["Jwt__Lifetime"] = "abc",
        });

        Assert.Equal(1, await service.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var line = Assert.Single(service.Output, l => l.Contains("crit:", StringComparison.Ordinal));
        TestReport.Line(line);
        Assert.Contains("Sessions: IdleTimeout must be above zero", line, StringComparison.Ordinal);
        Assert.Contains("'soon' at 'Database:StartupDeadline'", line, StringComparison.Ordinal);
        Assert.Contains("'abc' at 'Jwt:Lifetime'", line, StringComparison.Ordinal);
        AssertOneClearLine(service, Secret);
    }

    [Fact]
    public async Task A_failing_migration_stops_startup_with_one_line_naming_the_script_and_what_postgres_said()
    {
        await using var database = await ScratchDatabase.CreateAsync(app, "migration");
        var cs = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Password = Secret }.ConnectionString;
        // A table in the way of 0004_throttle.sql, on an otherwise fresh database: 0001 to 0003 apply, 0004 fails.
        await using (var connection = await database.OpenAsync())
        {
            await connection.ExecuteAsync("CREATE TABLE throttle_windows (key text)");
        }

        await using var service = ServiceProcess.Start(cs);

        Assert.Equal(1, await service.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var line = Assert.Single(service.Output, l => l.Contains("Migration ", StringComparison.Ordinal) && l.Contains(" failed", StringComparison.Ordinal));
        TestReport.Line(line);
        Assert.Contains("Migration 0004_throttle.sql failed: 42P07: relation \"throttle_windows\" already exists", line, StringComparison.Ordinal);
        AssertOneClearLine(service, Secret);
    }

    static void AssertOneClearLine(ServiceProcess service, string secret)
    {
        Assert.DoesNotContain(service.Output, l => l.Contains(secret, StringComparison.Ordinal));
        Assert.DoesNotContain(service.Output, l => l.Contains("   at ", StringComparison.Ordinal));
        Assert.Single(service.Output, l => l.Contains("crit:", StringComparison.Ordinal));
    }
}
