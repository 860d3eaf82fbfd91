using Microsoft.Extensions.Diagnostics.HealthChecks;
using UserService.Infrastructure.Errors;

namespace UserService.Infrastructure.Health;

internal static class HealthResponse
{
    /// <summary>Healthy: <c>{"status":"Healthy"}</c>. Otherwise a 503 problem naming what failed.</summary>
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        if (report.Status == HealthStatus.Healthy)
        {
            return context.Response.WriteAsJsonAsync(new { status = report.Status.ToString() });
        }

        var failures = string.Join("; ", report.Entries
            .Where(e => e.Value.Status != HealthStatus.Healthy)
            .Select(e => $"{e.Key}: {e.Value.Description}"));
        return Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, failures);
    }
}
