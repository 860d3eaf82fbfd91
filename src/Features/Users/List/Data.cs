using Dapper;
using Npgsql;

namespace UserService.Features.Users.List;

internal static class Data
{
    // Keyset pagination on the time-ordered UUIDv7 primary key: newest last, stable under concurrent inserts.
    // ILIKE on each column can use its trigram index.
    const string PageSql = $"""
        SELECT {UserRow.Columns}
        FROM users
        WHERE (@after::uuid IS NULL OR id > @after)
          AND (@pattern::text IS NULL OR email ILIKE @pattern OR full_name ILIKE @pattern)
        ORDER BY id
        LIMIT @take
        """;

    /// <summary>Reads one row more than asked, to know whether a next page exists.</summary>
    public static Task<List<UserRow>> PageAsync(NpgsqlDataSource db, Guid? after, string? q, int limit, CancellationToken ct)
    {
        var pattern = string.IsNullOrEmpty(q) ? null : $"%{EscapeLike(q)}%";
        return ReadRetry.OnceAsync(async ct =>
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            var rows = await connection.QueryAsync<UserRow>(new CommandDefinition(PageSql, new { after, pattern, take = limit + 1 }, cancellationToken: ct));
            return rows.AsList();
        }, ct);
    }

    static string EscapeLike(string value) =>
        value.Replace(@"\", @"\\", StringComparison.Ordinal)
             .Replace("%", @"\%", StringComparison.Ordinal)
             .Replace("_", @"\_", StringComparison.Ordinal);
}
