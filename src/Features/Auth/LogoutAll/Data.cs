using Dapper;
using Npgsql;

namespace UserService.Features.Auth.LogoutAll;

internal static class Data
{
    // One statement, one fact: a new security stamp ends every session (each is bound to the stamp it began under) and
    // revokes every access token (each carries it; the users trigger tells every instance). The rows go too.
    const string EndAllSql = """
        WITH ended AS (
            DELETE FROM sessions WHERE user_id = @UserId
        )
        UPDATE users SET security_stamp = gen_random_uuid() WHERE id = @UserId
        """;

    public static async Task EndAllAsync(NpgsqlDataSource db, Guid userId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(EndAllSql, new { UserId = userId }, cancellationToken: ct));
    }
}
