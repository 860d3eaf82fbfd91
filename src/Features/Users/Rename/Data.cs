using Dapper;
using Npgsql;

namespace UserService.Features.Users.Rename;

internal static class Data
{
    const string RenameSql = $"""
        UPDATE users SET full_name = @FullName, version = version + 1, updated_at = now()
        WHERE id = @Id
        RETURNING {UserSql.Columns}
        """;

    public static async Task<UserRow?> RenameAsync(NpgsqlDataSource db, Guid id, string fullName, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
            RenameSql, new { Id = id, FullName = UserRules.CanonicalFullName(fullName) }, cancellationToken: ct));
    }
}
