using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace UserService.Infrastructure.Hosting;

/// <summary>Bound from <c>Proxies</c>: the reverse proxies or load balancers whose forwarded headers are believed.</summary>
internal sealed class ProxyOptions
{
    public const string Section = "Proxies";

    /// <summary>Addresses of trusted proxies, e.g. <c>10.0.0.5</c>.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR notation, e.g. <c>10.0.0.0/24</c>.</summary>
    public string[] KnownNetworks { get; set; } = [];

    public const string Rule = "Proxies: every KnownProxies entry must be an IP address and every KnownNetworks entry a CIDR network (10.0.0.0/24).";

    public bool IsEmpty => KnownProxies.Length == 0 && KnownNetworks.Length == 0;

    public static bool IsValid(ProxyOptions o) =>
        o.KnownProxies.All(a => IPAddress.TryParse(a, out _)) && o.KnownNetworks.All(n => System.Net.IPNetwork.TryParse(n, out _));
}

internal static class ProxyExtensions
{
    /// <summary>
    /// The client's address (and scheme) come from <c>X-Forwarded-For</c> (<c>X-Forwarded-Proto</c>) only when the
    /// connection comes from a configured proxy; from anyone else those headers are ignored, so a client cannot pick
    /// its own address to escape the per-address limit. Nothing is trusted by default, loopback included.
    /// </summary>
    public static WebApplicationBuilder AddProxies(this WebApplicationBuilder builder)
    {
        builder.Services.AddSettings<ProxyOptions>(ProxyOptions.Section)
            .Validate(ProxyOptions.IsValid, ProxyOptions.Rule);
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>((o, options) =>
        {
            var proxies = options.Value;
            // Without a configured proxy no header is believed: with both of its lists empty the middleware would believe anyone.
            o.ForwardedHeaders = proxies.IsEmpty ? ForwardedHeaders.None : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            // An entry that does not parse stops startup (validated above); skipping it here keeps that one clear line.
            foreach (var address in proxies.KnownProxies)
            {
                if (IPAddress.TryParse(address, out var parsed))
                {
                    o.KnownProxies.Add(parsed);
                }
            }

            foreach (var network in proxies.KnownNetworks)
            {
                if (System.Net.IPNetwork.TryParse(network, out var parsed))
                {
                    o.KnownIPNetworks.Add(parsed);
                }
            }
        });
        return builder;
    }

    /// <summary>
    /// First in the pipeline, so that logs, limits and endpoints all see the client's address. The middleware reads its
    /// options when the server starts, after the settings have been validated.
    /// </summary>
    public static WebApplication UseProxies(this WebApplication app)
    {
        app.UseForwardedHeaders();
        return app;
    }
}
