using FastEndpoints;

namespace UserService.Features.Users.Delete;

internal sealed record Request
{
    /// <summary>From the route only: a query-string or body <c>id</c> never overrides it.</summary>
    [RouteParam]
    public Guid Id { get; init; }

    /// <summary>Optional strong ETag; when given and stale, the answer is 412.</summary>
    // From the header only: DontBind keeps a query-string ifMatch out (no JSON body ever binds to this type).
    [FromHeader("If-Match", IsRequired = false, RemoveFromSchema = true), DontBind(Source.All)]
    public string? IfMatch { get; init; }
}
