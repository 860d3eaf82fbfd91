using Microsoft.AspNetCore.HttpLogging;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace UserService.Infrastructure.Observability;

internal static class ObservabilityExtensions
{
    /// <summary>
    /// Set, it turns on tracing and sends logs, metrics and traces there over OTLP. OpenTelemetry's own setting, under
    /// its own name, which its exporter reads too: not a section of ours.
    /// </summary>
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public const string MetricsPath = "/metrics";

    /// <summary>Npgsql's meter and activity source: pool usage, pending requests, timeouts, one span per command.</summary>
    const string Npgsql = "Npgsql";

    /// <summary>
    /// ASP.NET Core's own meters beyond the ones its instrumentation turns on (hosting, Kestrel, routing): handled
    /// exceptions. Not the authentication and authorization meters: they record on every request (two more
    /// aggregations each), and their failures already show as 401s and 403s in the request metrics (as throttled
    /// sign-ins show as 429s).
    /// </summary>
    static readonly string[] AspNetCoreMeters =
    [
        "Microsoft.AspNetCore.Diagnostics",
    ];

    /// <summary>
    /// Logs carry the trace and span id of the request they belong to (the console formatter, JSON or simple, comes
    /// from configuration); one access-log line per request; metrics for Prometheus at <c>/metrics</c>; traces and
    /// OTLP export only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
    /// </summary>
    public static WebApplicationBuilder AddObservability(this WebApplicationBuilder builder)
    {
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        builder.Services.AddHttpLogging(o =>
        {
            // Never the query string (it can hold an email) nor any header (Authorization).
            o.LoggingFields = HttpLoggingFields.RequestMethod | HttpLoggingFields.RequestPath |
                              HttpLoggingFields.ResponseStatusCode | HttpLoggingFields.Duration;
            o.CombineLogs = true;
        });
        builder.Services.AddHttpLoggingInterceptor<QuietProbes>();

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? "UserService"))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(AspNetCoreMeters)
                .AddMeter(Npgsql)
                .AddMeter(SecurityStamps.MeterName)
                .AddPrometheusExporter());

        // The port is needed now, to listen on it: see AddBuildTimeOptions.
        var metrics = builder.AddBuildTimeOptions<MetricsOptions>(MetricsOptions.Section, MetricsOptions.IsValid, MetricsOptions.Rule);
        if (metrics.Port is { } port)
        {
            builder.WebHost.UseUrls([.. ListenUrls(builder.Configuration), $"http://*:{port}"]);
        }

        if (!string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointSetting]))
        {
            telemetry
                .WithTracing(tracing => tracing
                    .AddAspNetCoreInstrumentation(o => o.Filter = context => !QuietProbes.IsProbe(context.Request.Path))
                    .AddSource(Npgsql))
                .UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>First in the pipeline, so that the access log sees the final status of every request.</summary>
    public static WebApplication UseObservability(this WebApplication app)
    {
        app.UseHttpLogging();
        // Metrics tell an outsider the load, the pool and every route's error rate: never on the public port in production.
        var port = app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value.Port;
        if (port is not null || app.Environment.IsDevelopment() || app.Environment.IsEnvironment("Testing"))
        {
            app.UseOpenTelemetryPrometheusScrapingEndpoint(context =>
                context.Request.Path == MetricsPath && (port is null || context.Connection.LocalPort == port));
        }

        if (port is not null)
        {
            // The metrics port is for the scraper: nothing else is answered there.
            app.Use((context, next) => context.Connection.LocalPort == port
                ? Problems.WriteAsync(context, StatusCodes.Status404NotFound, $"Only {MetricsPath} is served on this port.")
                : next(context));
        }

        return app;
    }

    /// <summary>The URLs the server would listen on without <see cref="MetricsOptions.Port"/> (urls, else http_ports, else Kestrel's default).</summary>
    static string[] ListenUrls(IConfiguration configuration)
    {
        if (configuration["urls"] is { Length: > 0 } urls)
        {
            return urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        if (configuration["http_ports"] is { Length: > 0 } ports)
        {
            return [.. ports.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => $"http://*:{p}")];
        }

        return ["http://localhost:5000"];
    }
}
