using Dapper;
using Npgsql;

namespace UserService.Features.Sessions.List;

internal static class Data
{
    const string ListSql = $"""
        SELECT s.id, s.created_at, s.last_used_at, {SessionRules.ExpiresAt} AS expires_at
        FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.user_id = @UserId AND {SessionRules.IsLive}
        ORDER BY s.created_at, s.id
        """;

    public sealed record Row(Guid Id, DateTime CreatedAt, DateTime LastUsedAt, DateTime ExpiresAt);

    public static Task<List<Row>> ListAsync(NpgsqlDataSource db, Guid userId, SessionLifetimes lifetimes, CancellationToken ct) => ReadRetry.OnceAsync(async ct =>
    {
        var args = new { UserId = userId, lifetimes.IdleSeconds, lifetimes.AbsoluteSeconds };
        await using var connection = await db.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<Row>(new CommandDefinition(ListSql, args, cancellationToken: ct))).AsList();
    }, ct);
}
