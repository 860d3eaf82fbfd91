using FastEndpoints;

namespace UserService.Features.Users.Delete;

internal sealed record Request
{
    public Guid Id { get; init; }

    /// <summary>Optional strong ETag; when given and stale, the answer is 412.</summary>
    [FromHeader("If-Match", IsRequired = false)]
    public string? IfMatch { get; init; }
}
