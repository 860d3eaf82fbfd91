using Dapper;
using Npgsql;

namespace UserService.Features.Users.Delete;

internal static class Data
{
    const string DeleteSql = $"""
        DELETE FROM users
        WHERE id = @Id AND {UserSql.IfMatch}
        """;

    public enum Outcome { Deleted, NotFound, PreconditionFailed }

    public static async Task<Outcome> DeleteAsync(NpgsqlDataSource db, Guid id, long[]? versions, CancellationToken ct)
    {
        var args = new { Id = id, Versions = versions };
        await using var connection = await db.OpenConnectionAsync(ct);
        if (await connection.ExecuteAsync(new CommandDefinition(DeleteSql, args, cancellationToken: ct)) == 1)
        {
            return Outcome.Deleted;
        }

        var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(UserSql.ExistsSql, args, cancellationToken: ct));
        return exists ? Outcome.PreconditionFailed : Outcome.NotFound;
    }
}
