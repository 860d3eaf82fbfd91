using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace UserService.Infrastructure.Health;

internal static class HealthExtensions
{
    const string ReadyTag = "ready";

    public static WebApplicationBuilder AddHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddSettings<ShutdownOptions>(ShutdownOptions.Section)
            .Validate(o => o.DrainDelay >= TimeSpan.Zero, "Shutdown: DrainDelay must be zero or more.");
        // One instance: a startup hook (see StartupHooks) and the readiness check that it turns off.
        builder.Services.AddSingleton<ShutdownDrain>();
        builder.Services.AddHealthChecks()
            .AddCheck<ShutdownDrain>("shutdown", tags: [ReadyTag])
            .AddCheck<DatabaseHealthCheck>("database", tags: [ReadyTag]);
        return builder;
    }

    /// <summary>
    /// <c>/health/live</c>: the process answers. <c>/health/ready</c>: the database answers and is migrated, and the
    /// service is not shutting down.
    /// </summary>
    public static WebApplication MapHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthResponse.WriteAsync });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = HealthResponse.WriteAsync });
        return app;
    }
}
