using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace UserService.Infrastructure.Hosting;

/// <summary>Bound from <c>Proxies</c>: the reverse proxies or load balancers whose forwarded headers are believed.</summary>
internal sealed class ProxyOptions
{
    public const string Section = "Proxies";

    /// <summary>Addresses of trusted proxies, e.g. <c>10.0.0.5</c>.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR notation, e.g. <c>10.0.0.0/24</c>.</summary>
    public string[] KnownNetworks { get; set; } = [];
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
        var proxies = builder.Configuration.GetSection(ProxyOptions.Section).Get<ProxyOptions>() ?? new ProxyOptions();
        builder.Services.AddSingleton(proxies);
        builder.Services.AddOptions<ProxyOptions>().BindConfiguration(ProxyOptions.Section)
            .Validate(o => o.KnownProxies.All(a => IPAddress.TryParse(a, out _)) && o.KnownNetworks.All(n => System.Net.IPNetwork.TryParse(n, out _)),
                "Proxies: every KnownProxies entry must be an IP address and every KnownNetworks entry a CIDR network (10.0.0.0/24).")
            .ValidateOnStart();
        builder.Services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
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
    /// First in the pipeline, so that logs, limits and endpoints all see the client's address. Without a configured
    /// proxy the middleware is left out: with both of its lists empty it would believe anyone.
    /// </summary>
    public static WebApplication UseProxies(this WebApplication app)
    {
        var proxies = app.Services.GetRequiredService<ProxyOptions>();
        if (proxies.KnownProxies.Length > 0 || proxies.KnownNetworks.Length > 0)
        {
            app.UseForwardedHeaders();
        }

        return app;
    }
}
