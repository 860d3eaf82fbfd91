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
        return builder;
    }

    public static WebApplication UseErrors(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}
