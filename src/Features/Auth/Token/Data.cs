using Dapper;
using Npgsql;

namespace UserService.Features.Auth.Token;

internal static class Data
{
    const string CredentialsSql = """
        SELECT id, role, password_hash, security_stamp
        FROM users
        WHERE lower(email) = lower(@email)
        """;

    // Only if the hash is still the one verified: a concurrent password change wins.
    const string UpgradeHashSql = "UPDATE users SET password_hash = @newHash WHERE id = @id AND password_hash = @oldHash";

    // A session under the stamp the password was checked against: if a password change committed since, the session is
    // born dead (its stamp is no longer the user's). The user's sessions that already ended leave on the way.
    const string StartSessionSql = $"""
        WITH ended AS (
            DELETE FROM sessions s USING users u
            WHERE s.user_id = @UserId AND u.id = s.user_id AND NOT ({SessionRules.IsLive})
        ), started AS (
            INSERT INTO sessions (id, user_id, security_stamp)
            VALUES (@SessionId, @UserId, @Stamp)
            RETURNING id, created_at, last_used_at
        ), issued AS (
            INSERT INTO refresh_tokens (token_hash, session_id, generation)
            SELECT @TokenHash, id, 1 FROM started
        )
        SELECT extract(epoch FROM {SessionRules.ExpiresAt} - now())::float8 FROM started s
        """;

    public sealed record Credentials(Guid Id, string Role, string PasswordHash, Guid SecurityStamp);

    public static async Task<Credentials?> FindAsync(NpgsqlDataSource db, string email, CancellationToken ct)
    {
        // The validator accepted only addresses that have a canonical form; accounts are stored in it.
        email = EmailAddress.Canonical(email);
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<Credentials>(new CommandDefinition(CredentialsSql, new { email }, cancellationToken: ct));
    }

    public static async Task UpgradeHashAsync(NpgsqlDataSource db, Guid id, string oldHash, string newHash, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(UpgradeHashSql, new { id, oldHash, newHash }, cancellationToken: ct));
    }

    /// <summary>Starts a session; the seconds its refresh token lasts, or null when the user was deleted meanwhile.</summary>
    public static async Task<double?> StartSessionAsync(
        NpgsqlDataSource db, Guid sessionId, Credentials user, byte[] tokenHash, SessionLifetimes lifetimes, CancellationToken ct)
    {
        var args = new { SessionId = sessionId, UserId = user.Id, Stamp = user.SecurityStamp, TokenHash = tokenHash, lifetimes.IdleSeconds, lifetimes.AbsoluteSeconds };
        await using var connection = await db.OpenConnectionAsync(ct);
        try
        {
            return await connection.ExecuteScalarAsync<double>(new CommandDefinition(StartSessionSql, args, cancellationToken: ct));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return null;
        }
    }
}
