using Dapper;
using Npgsql;

namespace UserService.Tests.Infrastructure;

/// <summary>What stops startup stops it with one line, exit code 1, no stack trace and no secret.</summary>
[Collection(ProcessCollection.Name)]
public sealed class StartupRefusalTests(App app)
{
    [Fact]
    public async Task A_failing_migration_stops_startup_with_one_line_naming_the_script_and_what_postgres_said()
    {
        var database = $"migration_{Guid.NewGuid():N}";
        await using (var admin = await app.Db.OpenConnectionAsync())
        {
            await admin.ExecuteAsync($"CREATE DATABASE {database}");
        }

        var cs = new NpgsqlConnectionStringBuilder(App.ConnectionString) { Database = database, Password = "pg-secret-do-not-log" }.ConnectionString;
        try
        {
            // A table in the way of 0004_throttle.sql, on an otherwise fresh database: 0001 to 0003 apply, 0004 fails.
            await using (var db = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(App.ConnectionString) { Database = database, Pooling = false }.ConnectionString))
            await using (var connection = await db.OpenConnectionAsync())
            {
                await connection.ExecuteAsync("CREATE TABLE throttle_windows (key text)");
            }

            await using var service = ServiceProcess.Start(cs);

            Assert.Equal(1, await service.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            var line = Assert.Single(service.Output, l => l.Contains("Migration ", StringComparison.Ordinal) && l.Contains(" failed", StringComparison.Ordinal));
            TestReport.Line(line);
            Assert.Contains("Migration 0004_throttle.sql failed: 42P07: relation \"throttle_windows\" already exists", line, StringComparison.Ordinal);
            AssertOneClearLine(service, "pg-secret-do-not-log");
        }
        finally
        {
            await using var admin = await app.Db.OpenConnectionAsync();
            await admin.ExecuteAsync($"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
    }

    static void AssertOneClearLine(ServiceProcess service, string secret)
    {
        Assert.DoesNotContain(service.Output, l => l.Contains(secret, StringComparison.Ordinal));
        Assert.DoesNotContain(service.Output, l => l.Contains("   at ", StringComparison.Ordinal));
        Assert.Single(service.Output, l => l.Contains("crit:", StringComparison.Ordinal));
    }
}
