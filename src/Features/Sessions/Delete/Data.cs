using Dapper;
using Npgsql;

namespace UserService.Features.Sessions.Delete;

internal static class Data
{
    // Only the caller's own: someone else's session id matches nothing, exactly like an unknown one.
    const string DeleteSql = "DELETE FROM sessions WHERE id = @Id AND user_id = @UserId";

    public static async Task<bool> DeleteAsync(NpgsqlDataSource db, Guid id, Guid userId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(DeleteSql, new { Id = id, UserId = userId }, cancellationToken: ct)) == 1;
    }
}
