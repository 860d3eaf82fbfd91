namespace UserService.Infrastructure.Errors;

internal static class ErrorsExtensions
{
    /// <summary>
    /// Every error leaves as RFC 9457 problem details with <c>instance</c> and <c>traceId</c>: exceptions through
    /// <see cref="ExceptionHandler"/>, bare status codes (unknown route, 405) through the status-code pages.
    /// </summary>
    public static WebApplicationBuilder AddErrors(this WebApplicationBuilder builder)
    {
        // Registered first, so the problem details service picks it before the default (Accept-sensitive) writer.
        builder.Services.AddSingleton<IProblemDetailsWriter, ProblemJsonWriter>();
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = Problems.Customize);
        builder.Services.AddExceptionHandler<ExceptionHandler>();
        // The JWT handler logs any exception from token validation (the security-stamp read while PostgreSQL is down)
        // as an error with its stack trace, then rethrows it to ExceptionHandler, which logs it once more as what it is
        // (a 503 warning, or a 500 error with the stack trace): one line per failure is enough.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerHandler", LogLevel.Critical);
        return builder;
    }

    public static WebApplication UseErrors(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}
