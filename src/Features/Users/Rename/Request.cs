using FastEndpoints;

namespace UserService.Features.Users.Rename;

internal sealed record Request
{
    /// <summary>From the route only: a query-string or body <c>id</c> never overrides it.</summary>
    [RouteParam]
    public Guid Id { get; init; }

    public string? FullName { get; init; }
}
