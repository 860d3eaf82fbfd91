using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

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

            case var e when IsDatabaseUnavailable(e):
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

    /// <summary>
    /// What Npgsql's multi-host data source throws when every host it knows of is down or of the wrong kind, e.g. the
    /// primary is gone and the standby is not promoted yet (or promoted less than <c>Host Recheck Seconds</c> ago). It
    /// carries no inner exception and is not transient, yet it is a failover in progress: pinned by the failover tests.
    /// </summary>
    internal const string NoSuitableHost = "No suitable host was found.";

    /// <summary>Connection failures, pool exhaustion, command timeouts, server shutdowns and failovers, at any depth.</summary>
    internal static bool IsDatabaseUnavailable(Exception? e) => e switch
    {
        null => false,
        NpgsqlException { Message: NoSuitableHost } and not PostgresException => true,
        PostgresException pg => pg.IsTransient || pg.SqlState.StartsWith("08", StringComparison.Ordinal)
                                || pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
                                    or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections
                                    or PostgresErrorCodes.QueryCanceled,
        NpgsqlException npgsql => npgsql.IsTransient || IsDatabaseUnavailable(npgsql.InnerException),
        TimeoutException => true,
        System.Net.Sockets.SocketException => true,
        _ => IsDatabaseUnavailable(e.InnerException),
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Method} {Path} aborted by the client")]
    partial void LogAborted(string method, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Password hashing at capacity, answering 503 to {Method} {Path}")]
    partial void LogHashingBusy(string method, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database unavailable, answering 503: {Kind}: {Reason}")]
    partial void LogDatabaseUnavailable(string kind, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception on {Method} {Path}")]
    partial void LogUnhandled(Exception exception, string method, string path);
}
