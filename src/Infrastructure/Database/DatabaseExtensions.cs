using Dapper;
using Npgsql;

namespace UserService.Infrastructure.Database;

internal static class DatabaseExtensions
{
    /// <summary>
    /// Registers the one <see cref="NpgsqlDataSource"/> of the process, with what its startup hook needs
    /// (<see cref="DatabaseLifecycle"/>, registered among the hooks in <see cref="StartupHooks"/>).
    /// </summary>
    public static WebApplicationBuilder AddDatabase(this WebApplicationBuilder builder)
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;

        // Read here, since the data source is registered with it; checked at start with the Database section, so that a
        // connection string that cannot be used stops startup with one line (RunServiceAsync) like any invalid setting.
        var connection = DatabaseConnection.Read(builder.Configuration);
        builder.Services.AddSingleton(connection);
        builder.Services.AddSettings<DatabaseOptions>(DatabaseOptions.Section)
            .Validate(_ => connection.Problem is null, connection.Problem ?? "")
            .Validate(DatabaseOptions.IsValid, DatabaseOptions.Rule);
        builder.Services.AddNpgsqlDataSource(connection.Service, b => b.Name = "users");
        builder.Services.AddSingleton<DatabaseState>();
        builder.Services.AddSingleton<Migrator>();
        return builder;
    }
}
