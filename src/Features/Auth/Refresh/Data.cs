using Dapper;
using Npgsql;

namespace UserService.Features.Auth.Refresh;

internal static class Data
{
    // One atomic statement: the presented token must be of the session's current generation, and moving the generation
    // spends it. Two refreshes racing with one token both find it, but the second waits for the first's row lock and
    // then sees the generation moved: exactly one succeeds.
    const string RotateSql = $"""
        WITH presented AS (
            SELECT session_id, generation FROM refresh_tokens WHERE token_hash = @TokenHash
        ), rotated AS (
            UPDATE sessions s
            SET generation = s.generation + 1, last_used_at = now()
            FROM presented p, users u
            WHERE s.id = p.session_id AND s.generation = p.generation AND u.id = s.user_id AND {SessionRules.IsLive}
            RETURNING s.id, s.user_id, s.generation, s.created_at, s.last_used_at, u.role, u.security_stamp
        ), issued AS (
            INSERT INTO refresh_tokens (token_hash, session_id, generation)
            SELECT @NewTokenHash, id, generation FROM rotated
        )
        SELECT s.id AS session_id, s.user_id, s.role, s.security_stamp, extract(epoch FROM {SessionRules.ExpiresAt} - now())::float8 AS refresh_seconds
        FROM rotated s
        """;

    // The token did not rotate. If it is a spent one (an older generation), it was stolen or replayed: the session ends,
    // so its latest token stops working too. A separate statement, so that it sees what a racing refresh committed.
    // A session that is no longer live leaves too (nothing could refresh it again).
    const string EndSql = $"""
        DELETE FROM sessions s USING refresh_tokens t, users u
        WHERE t.token_hash = @TokenHash AND s.id = t.session_id AND u.id = s.user_id
          AND (t.generation < s.generation OR NOT ({SessionRules.IsLive}))
        RETURNING s.id AS session_id, s.user_id, t.generation < s.generation AS reused
        """;

    public sealed record Rotated(Guid SessionId, Guid UserId, string Role, Guid SecurityStamp, double RefreshSeconds);

    public sealed record Ended(Guid SessionId, Guid UserId, bool Reused);

    /// <summary>The session and its user when the token was current and the session live; otherwise null.</summary>
    public static async Task<Rotated?> RotateAsync(NpgsqlDataSource db, byte[] tokenHash, byte[] newTokenHash, SessionLifetimes lifetimes, CancellationToken ct)
    {
        var args = new { TokenHash = tokenHash, NewTokenHash = newTokenHash, lifetimes.IdleSeconds, lifetimes.AbsoluteSeconds };
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<Rotated>(new CommandDefinition(RotateSql, args, cancellationToken: ct));
    }

    /// <summary>Ends the token's session when the token was spent or the session is dead; what it ended, or null.</summary>
    public static async Task<Ended?> EndAsync(NpgsqlDataSource db, byte[] tokenHash, SessionLifetimes lifetimes, CancellationToken ct)
    {
        var args = new { TokenHash = tokenHash, lifetimes.IdleSeconds, lifetimes.AbsoluteSeconds };
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<Ended>(new CommandDefinition(EndSql, args, cancellationToken: ct));
    }
}
