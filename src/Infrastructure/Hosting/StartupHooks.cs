namespace UserService.Infrastructure.Hosting;

internal static class StartupHooks
{
    /// <summary>
    /// Every hosted service of the process, in the order the host starts them, one after another, before the server
    /// accepts its first request; it stops them in the reverse order, after the server has drained its requests.
    /// </summary>
    public static WebApplicationBuilder AddStartupHooks(this WebApplicationBuilder builder)
    {
        // No usable signing key: stop before touching the database.
        builder.Services.AddHostedService<SigningKeyCheck>();
        // Connect (with retry), migrate, warm the pool; the data source is disposed when this stops, after everything below.
        builder.Services.AddHostedService<DatabaseLifecycle>();
        // Needs the schema.
        builder.Services.AddHostedService<AdminBootstrap>();
        // Background loops on the database: stopped before the data source is disposed.
        builder.Services.AddHostedService<StampListener>();
        builder.Services.AddHostedService<ExpiredRowsCleanup>();
        // Turns readiness off when the host starts stopping, before any hosted service stops (IHostedLifecycleService).
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ShutdownDrain>());
        return builder;
    }
}
