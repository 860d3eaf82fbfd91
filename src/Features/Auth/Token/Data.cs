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
}
