using Dapper;
using Npgsql;

namespace UserService.Features.Users.Update;

internal static class Data
{
    // One atomic statement: the If-Match check and the write cannot be split by a concurrent writer.
    const string UpdateSql = $"""
        UPDATE users
        SET email = COALESCE(@Email, email),
            full_name = COALESCE(@FullName, full_name),
            password_hash = COALESCE(@PasswordHash, password_hash),
            role = COALESCE(@Role, role),
            -- A new password or role revokes every token issued before it.
            security_stamp = CASE WHEN @PasswordHash IS NOT NULL OR COALESCE(@Role, role) <> role
                                  THEN gen_random_uuid() ELSE security_stamp END,
            version = version + 1,
            updated_at = now()
        WHERE id = @Id AND {UserSql.IfMatch}
        RETURNING {UserSql.Columns}
        """;

    const string PasswordHashSql = "SELECT password_hash FROM users WHERE id = @id";

    const string EmailSql = "SELECT email FROM users WHERE id = @id";

    public sealed record Changes(Guid Id, long[]? Versions, string? Email, string? FullName, string? PasswordHash, string? Role);

    public enum Outcome { Updated, NotFound, PreconditionFailed, EmailTaken }

    public static async Task<string?> PasswordHashAsync(NpgsqlDataSource db, Guid id, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(PasswordHashSql, new { id }, cancellationToken: ct));
    }

    public static async Task<string?> EmailAsync(NpgsqlDataSource db, Guid id, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(EmailSql, new { id }, cancellationToken: ct));
    }

    public static async Task<(Outcome, UserRow?)> UpdateAsync(NpgsqlDataSource db, Changes changes, CancellationToken ct)
    {
        // Stored in canonical form, like sign-up (the endpoint passes what validation accepted).
        changes = changes with
        {
            Email = changes.Email is null ? null : EmailAddress.Canonical(changes.Email),
            FullName = changes.FullName is null ? null : UserRules.CanonicalFullName(changes.FullName),
        };
        await using var connection = await db.OpenConnectionAsync(ct);
        try
        {
            var row = await connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(UpdateSql, changes, cancellationToken: ct));
            if (row is not null)
            {
                return (Outcome.Updated, row);
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return (Outcome.EmailTaken, null);
        }

        var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(UserSql.ExistsSql, changes, cancellationToken: ct));
        return (exists ? Outcome.PreconditionFailed : Outcome.NotFound, null);
    }
}
