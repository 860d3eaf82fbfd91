using Dapper;
using Npgsql;

namespace UserService.Features.Users.List;

internal static class Data
{
    // Keyset pagination on the time-ordered UUIDv7 primary key: newest last, stable under concurrent inserts.
    // Without q, one statement per shape: each is prepared once per connection and keeps one cached plan, an index
    // range scan (a catch-all "@after IS NULL OR id > @after" is re-planned on every call, and its generic plan
    // would scan from the first row). With q, the catch-all stays: PostgreSQL plans it for each pattern, so that a
    // rare term can use the trigram indexes that ILIKE on each column can use.
    const string FirstPageSql = $"SELECT {UserSql.Columns} FROM users ORDER BY id LIMIT @take";

    const string NextPageSql = $"SELECT {UserSql.Columns} FROM users WHERE id > @after ORDER BY id LIMIT @take";

    const string SearchSql = $"""
        SELECT {UserSql.Columns}
        FROM users
        WHERE (@after::uuid IS NULL OR id > @after)
          AND (email ILIKE @email OR full_name ILIKE @name)
        ORDER BY id
        LIMIT @take
        """;

    /// <summary>
    /// Reads one row more than asked, to know whether a next page exists. On a standby when the connection string
    /// names one (an admin's list may lag a moment behind the latest write); a standby that stops under the read breaks
    /// the connection, and the retry finds it marked offline and reads on the primary.
    /// </summary>
    public static Task<List<UserRow>> PageAsync(NpgsqlDataSource db, Guid? after, string? q, int limit, CancellationToken ct)
    {
        // The stored forms are canonical (UserRules, EmailAddress): a term is put in the same form before it is compared.
        var (email, name) = string.IsNullOrEmpty(q) ? (null, null)
            : ($"%{EscapeLike(EmailAddress.SearchTerm(q))}%", $"%{EscapeLike(UserRules.CanonicalFullName(q))}%");
        var sql = email is not null ? SearchSql : after is null ? FirstPageSql : NextPageSql;
        var reads = db.PreferStandby();
        return ReadRetry.OnceAsync(async ct =>
        {
            await using var connection = await reads.OpenConnectionAsync(ct);
            var rows = await connection.QueryAsync<UserRow>(new CommandDefinition(sql, new { after, email, name, take = limit + 1 }, cancellationToken: ct));
            return rows.AsList();
        }, ct);
    }

    static string EscapeLike(string value) =>
        value.Replace(@"\", @"\\", StringComparison.Ordinal)
             .Replace("%", @"\%", StringComparison.Ordinal)
             .Replace("_", @"\_", StringComparison.Ordinal);
}
