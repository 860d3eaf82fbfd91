using Microsoft.AspNetCore.Diagnostics;

namespace UserService.Infrastructure.Errors;

/// <summary>
/// Turns what escapes an endpoint into an honest status: an unreachable or saturated database is 503 with
/// <c>Retry-After</c>, a request Kestrel refused keeps its 4xx, a client that went away gets nothing, and only a
/// genuine bug is 500.
/// </summary>
internal sealed partial class ExceptionHandler(ILogger<ExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (context.RequestAborted.IsCancellationRequested)
        {
            LogAborted(context.Request.Method, context.Request.Path);
            context.Response.StatusCode = 499;
            return true;
        }

        switch (exception)
        {
            case BadHttpRequestException bad:
                context.Response.StatusCode = bad.StatusCode;
                await Problems.WriteAsync(context, bad.StatusCode, bad.Message);
                return true;

            case HashingBusyException:
                LogHashingBusy(context.Request.Method, context.Request.Path);
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
                    "The server is busy hashing passwords. Retry later.");
                return true;

            case var e when NpgsqlFailures.IsUnavailable(e):
                LogDatabaseUnavailable(e.GetType().Name, e.Message);
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
                    "The database is unavailable or busy. Retry later.");
                return true;

            default:
                LogUnhandled(exception, context.Request.Method, context.Request.Path);
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                await Problems.WriteAsync(context, StatusCodes.Status500InternalServerError, "An unexpected error occurred.");
                return true;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Method} {Path} aborted by the client")]
    partial void LogAborted(string method, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Password hashing at capacity, answering 503 to {Method} {Path}")]
    partial void LogHashingBusy(string method, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database unavailable, answering 503: {Kind}: {Reason}")]
    partial void LogDatabaseUnavailable(string kind, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception on {Method} {Path}")]
    partial void LogUnhandled(Exception exception, string method, string path);
}
