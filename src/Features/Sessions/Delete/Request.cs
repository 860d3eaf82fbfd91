using FastEndpoints;

namespace UserService.Features.Sessions.Delete;

internal sealed record Request
{
    /// <summary>From the route only: a query-string or body <c>id</c> never overrides it.</summary>
    [RouteParam]
    public Guid Id { get; init; }
}
