using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace UserService.Infrastructure.Errors;

/// <summary>
/// Writes problem details whatever the request's <c>Accept</c> header says. ASP.NET Core's default writer declines
/// when <c>Accept</c> names neither JSON type (<c>text/html</c>, <c>application/xml</c>), and its callers then fall
/// back to <c>text/plain</c> or to bare JSON without <c>instance</c> and <c>traceId</c>; the contract promises problem
/// details for every 4xx and 5xx (docs/http-contract.md; RFC 9110 lets an error response disregard <c>Accept</c>).
/// </summary>
internal sealed class ProblemJsonWriter(IOptions<ProblemDetailsOptions> problemOptions, IOptions<JsonOptions> jsonOptions) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        problem.Status ??= context.HttpContext.Response.StatusCode;

        // TypedResults.Problem fills in the standard type (the RFC 9110 section) and title for the status, in place.
        _ = TypedResults.Problem(problem);
        problemOptions.Value.CustomizeProblemDetails?.Invoke(context);
        return new(context.HttpContext.Response.WriteAsJsonAsync(
            problem, problem.GetType(), jsonOptions.Value.SerializerOptions, "application/problem+json"));
    }
}
