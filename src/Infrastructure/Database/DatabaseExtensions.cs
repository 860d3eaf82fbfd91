using Dapper;
using Npgsql;

namespace UserService.Infrastructure.Database;

internal static class DatabaseExtensions
{
    public const string ConnectionStringName = "Users";

    /// <summary>
    /// Registers the one <see cref="NpgsqlDataSource"/> of the process and the hosted service that opens it
    /// before the server accepts requests and disposes it after the server has drained them.
    /// </summary>
    public static WebApplicationBuilder AddDatabase(this WebApplicationBuilder builder)
    {
        var connectionString = BuildConnectionString(builder.Configuration);
        DefaultTypeMap.MatchNamesWithUnderscores = true;

        builder.Services.Configure<DatabaseOptions>(builder.Configuration.GetSection(DatabaseOptions.Section));
        builder.Services.AddNpgsqlDataSource(connectionString, b => b.Name = "users");
        builder.Services.AddSingleton<DatabaseState>();
        builder.Services.AddSingleton<Migrator>();
        builder.Services.AddHostedService<DatabaseLifecycle>();
        return builder;
    }

    static string BuildConnectionString(IConfiguration configuration)
    {
        var configured = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(configured))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionStringName} is not set (env ConnectionStrings__{ConnectionStringName}). " +
                "Start the service with ./run.sh to get the embedded PostgreSQL.");
        }

        var csb = new NpgsqlConnectionStringBuilder(configured);
        if (string.IsNullOrEmpty(csb.ApplicationName))
        {
            csb.ApplicationName = "UserService";
        }

        return csb.ConnectionString;
    }
}
