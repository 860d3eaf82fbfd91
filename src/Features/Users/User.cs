using UserService.Infrastructure.Http;

namespace UserService.Features.Users;

/// <summary>The user resource as clients see it. Never carries the password or its hash.</summary>
internal sealed record UserResponse(Guid Id, string Email, string FullName, string Role, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>A row of <c>users</c> as the slices read it (everything but the password hash).</summary>
internal sealed class UserRow
{
    /// <summary>The columns every slice selects or returns, in <see cref="UserRow"/>'s shape.</summary>
    public const string Columns = "id, email, full_name, role, version, created_at, updated_at";

    public Guid Id { get; init; }
    public string Email { get; init; } = "";
    public string FullName { get; init; } = "";
    public string Role { get; init; } = "";
    public long Version { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }

    public string ETag => EntityTags.Format(Version);

    public UserResponse ToResponse() => new(Id, Email, FullName, Role, CreatedAt, UpdatedAt);
}
