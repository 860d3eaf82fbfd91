using Microsoft.AspNetCore.HttpLogging;

namespace UserService.Infrastructure.Observability;

/// <summary>Health probes and metric scrapes arrive every few seconds; they stay out of the access log and traces.</summary>
internal sealed class QuietProbes : IHttpLoggingInterceptor
{
    public static bool IsProbe(PathString path) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments(ObservabilityExtensions.MetricsPath);

    public ValueTask OnRequestAsync(HttpLoggingInterceptorContext logContext)
    {
        if (IsProbe(logContext.HttpContext.Request.Path))
        {
            logContext.LoggingFields = HttpLoggingFields.None;
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask OnResponseAsync(HttpLoggingInterceptorContext logContext) => ValueTask.CompletedTask;
}
