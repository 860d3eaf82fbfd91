using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace UserService.Infrastructure.Hosting;

/// <summary>Bound from <c>Shutdown</c>.</summary>
internal sealed class ShutdownOptions
{
    public const string Section = "Shutdown";

    /// <summary>
    /// After SIGTERM, how long the service goes on serving while <c>/health/ready</c> already answers 503, so that a
    /// load balancer stops routing to it before it stops accepting connections. 0 (the default) stops at once.
    /// </summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.Zero;
}

/// <summary>
/// The first step of a graceful stop. The host calls every <see cref="IHostedLifecycleService.StoppingAsync"/> before it
/// stops any hosted service, Kestrel included: readiness turns 503 here, requests are still accepted and served for
/// <see cref="ShutdownOptions.DrainDelay"/>, then Kestrel stops accepting and drains as usual, and the pool is disposed.
/// </summary>
internal sealed partial class ShutdownDrain(IOptions<ShutdownOptions> options, ILogger<ShutdownDrain> logger) : IHostedLifecycleService, IHealthCheck
{
    volatile bool draining;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        draining = true;
        var delay = options.Value.DrainDelay;
        if (delay <= TimeSpan.Zero)
        {
            return;
        }

        LogDraining(delay.TotalSeconds);
        try
        {
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout came first.
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(draining ? HealthCheckResult.Unhealthy("The service is shutting down.") : HealthCheckResult.Healthy());

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Shutting down: not ready any more, still serving for {Seconds:F1} s (Shutdown:DrainDelay)")]
    partial void LogDraining(double seconds);
}
