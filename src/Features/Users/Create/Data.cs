using Dapper;
using Npgsql;

namespace UserService.Features.Users.Create;

internal static class Data
{
    const string InsertSql = $"""
        INSERT INTO users (id, email, password_hash, full_name)
        VALUES (@Id, @Email, @PasswordHash, @FullName)
        RETURNING {UserSql.Columns}
        """;

    public sealed record NewUser(Guid Id, string Email, string PasswordHash, string FullName);

    /// <summary>Inserts the user; null when the email is taken (the unique index decides, race-free).</summary>
    public static async Task<UserRow?> InsertAsync(NpgsqlDataSource db, NewUser user, CancellationToken ct)
    {
        // Stored in canonical form, so that one person has one spelling (the endpoint passes what validation accepted).
        user = user with { Email = EmailAddress.Canonical(user.Email), FullName = UserRules.CanonicalFullName(user.FullName) };
        await using var connection = await db.OpenConnectionAsync(ct);
        try
        {
            return await connection.QuerySingleAsync<UserRow>(new CommandDefinition(InsertSql, user, cancellationToken: ct));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return null;
        }
    }
}
