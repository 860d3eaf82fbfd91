namespace UserService.Infrastructure.Http;

internal static class HttpLimitsExtensions
{
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>Server limits chosen on purpose; the README lists them.</summary>
    public static WebApplicationBuilder AddHttpLimits(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxBodyBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.MaxRequestLineSize = 8 * 1024;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
        });
        return builder;
    }

    public static WebApplication UseHttpLimits(this WebApplication app)
    {
        app.UseMiddleware<JsonBodyGuard>();
        return app;
    }
}
