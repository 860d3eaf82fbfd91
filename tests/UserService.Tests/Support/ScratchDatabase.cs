using Dapper;
using Npgsql;

namespace UserService.Tests.Support;

/// <summary>
/// An empty database of its own on the tests' cluster, for a test that needs a fresh schema (migrations, the first
/// admin): created on <see cref="CreateAsync"/>, dropped with every connection to it on dispose.
/// </summary>
public sealed class ScratchDatabase : IAsyncDisposable
{
    readonly App app;
    readonly string name;

    ScratchDatabase(App app, string name)
    {
        this.app = app;
        this.name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(App.ConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>For the service under test; give it a password of its own to check that the password is never logged.</summary>
    public string ConnectionString { get; }

    public static async Task<ScratchDatabase> CreateAsync(App app, string prefix)
    {
        var database = new ScratchDatabase(app, $"{prefix}_{Guid.NewGuid():N}");
        await using var admin = await app.Db.OpenConnectionAsync();
        await admin.ExecuteAsync($"CREATE DATABASE {database.name}");
        return database;
    }

    /// <summary>
    /// The test's own unpooled connection for arranging and asserting rows, named as the tests' (MetricsTests, which
    /// judges the service's pool labels in this process, passes it over).
    /// </summary>
    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { ApplicationName = "UserService.Tests", Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        await using var admin = await app.Db.OpenConnectionAsync();
        await admin.ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    }
}
