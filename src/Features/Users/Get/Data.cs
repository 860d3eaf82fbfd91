using Dapper;
using Npgsql;

namespace UserService.Features.Users.Get;

internal static class Data
{
    const string FindSql = $"SELECT {UserRow.Columns} FROM users WHERE id = @id";

    public static Task<UserRow?> FindAsync(NpgsqlDataSource db, Guid id, CancellationToken ct) => ReadRetry.OnceAsync(async ct =>
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(FindSql, new { id }, cancellationToken: ct));
    }, ct);
}
