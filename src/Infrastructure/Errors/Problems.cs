using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;

namespace UserService.Infrastructure.Errors;

/// <summary>The one place that shapes problem details that FastEndpoints' validation does not produce.</summary>
internal static class Problems
{
    /// <summary>Seconds a client is asked to wait after a 503.</summary>
    public const int RetryAfterSeconds = 2;

    public static ProblemHttpResult Result(int status, string? detail = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: Title(status));

    public static Task WriteAsync(HttpContext context, int status, string? detail = null)
    {
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return Result(status, detail).ExecuteAsync(context);
    }

    public static string Title(int status) => ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error";

    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        problem.Instance ??= context.HttpContext.Request.Path;
        problem.Type ??= "about:blank"; // RFC 9457: no more specific type than the status itself (e.g. 429)
        problem.Title ??= Title(problem.Status ?? context.HttpContext.Response.StatusCode);
        problem.Extensions["traceId"] = context.HttpContext.TraceIdentifier;
    }
}
