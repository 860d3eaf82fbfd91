namespace UserService.Infrastructure.Http;

internal static class HttpLimitsExtensions
{
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>Server limits chosen on purpose; docs/failure-behaviour.md lists them.</summary>
    public static WebApplicationBuilder AddHttpLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IStartupFilter, HeadAsGet>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxBodyBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.MaxRequestLineSize = 8 * 1024;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            // A slow client cannot hold a connection (or a request) open for free: idle keep-alive connections close
            // after 60 s, and a body must arrive at 240 bytes/s or more after a 5 s grace period.
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(60);
            kestrel.Limits.MinRequestBodyDataRate = new(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
        });
        return builder;
    }

    public static WebApplication UseHttpLimits(this WebApplication app)
    {
        app.UseMiddleware<NoStore>();
        app.UseMiddleware<JsonBodyGuard>();
        return app;
    }
}
