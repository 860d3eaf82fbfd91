using Dapper;
using Npgsql;
using UserService.Infrastructure.Http;

namespace UserService.Features.Users;

/// <summary>The user resource as clients see it. Never carries the password or its hash.</summary>
internal sealed record UserResponse(Guid Id, string Email, string FullName, string Role, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>A row of <c>users</c> as the slices read it: <see cref="UserSql.Columns"/>, everything but the password hash.</summary>
internal sealed class UserRow
{
    const string FindSql = $"SELECT {UserSql.Columns} FROM users WHERE id = @id";

    public Guid Id { get; init; }
    public string Email { get; init; } = "";
    public string FullName { get; init; } = "";
    public string Role { get; init; } = "";
    public long Version { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }

    public string ETag => EntityTags.Format(Version);

    public UserResponse ToResponse() => new(Id, Email, FullName, Role, CreatedAt, UpdatedAt);

    /// <summary>One user by id (shared by Get and Me, which differ only in whose id they read).</summary>
    public static Task<UserRow?> FindAsync(NpgsqlDataSource db, Guid id, CancellationToken ct) => ReadRetry.OnceAsync(async ct =>
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<UserRow>(
            new CommandDefinition(FindSql, new { id }, cancellationToken: ct));
    }, ct);
}
