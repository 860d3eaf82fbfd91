using Dapper;
using Npgsql;

namespace UserService.Features.Auth.Logout;

internal static class Data
{
    // Any token the session was given ends it, a spent one too: whoever holds it wants the session gone, and a spent
    // token presented anywhere is reuse anyway.
    const string EndSql = """
        DELETE FROM sessions s USING refresh_tokens t
        WHERE t.token_hash = @TokenHash AND s.id = t.session_id
        """;

    public static async Task EndAsync(NpgsqlDataSource db, byte[] tokenHash, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(EndSql, new { TokenHash = tokenHash }, cancellationToken: ct));
    }
}
