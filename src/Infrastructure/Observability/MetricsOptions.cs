namespace UserService.Infrastructure.Observability;

/// <summary>Bound from the <c>Metrics</c> section.</summary>
internal sealed class MetricsOptions
{
    public const string Section = "Metrics";

    public const string Rule = "Metrics: Port must be from 1 to 65535.";

    /// <summary>
    /// The local port that alone answers <c>/metrics</c> (it is added to the ports the server listens on). Unset:
    /// <c>/metrics</c> is served on the API's port in Development and Testing, and not at all elsewhere.
    /// </summary>
    public int? Port { get; set; }

    public static bool IsValid(MetricsOptions o) => o.Port is null or (>= 1 and <= 65535);
}
