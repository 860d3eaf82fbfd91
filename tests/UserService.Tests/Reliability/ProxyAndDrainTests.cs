using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;

namespace UserService.Tests.Reliability;

/// <summary>
/// Behind a load balancer, on the real process: client addresses from forwarded headers only when a configured proxy
/// sent them, and a SIGTERM that turns readiness off at once while requests go on being served for the drain delay.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ProxyAndDrainTests(App app)
{
    const int AddressLimit = 3;

    [Fact]
    public async Task Spoofed_forwarded_addresses_from_an_untrusted_peer_do_not_escape_the_per_address_limit()
    {
        await using var service = ServiceProcess.Start(settings: new Dictionary<string, string>
        {
            ["Throttling__AddressPermitLimit"] = AddressLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await service.WaitUntilReadyAsync(signIn: false);
        var peer = Throttles.UniqueLoopback();
        var spoofed = Enumerable.Range(0, AddressLimit + 2).Select(_ => Throttles.UniqueRemote()).ToList();

        var statuses = new List<HttpStatusCode>();
        foreach (var forwardedFor in spoofed)
        {
            statuses.Add(await SignInAsync(service, forwardedFor, peer));
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, AddressLimit), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(new Throttles.Window(AddressLimit + 2, true), await Throttles.WindowAsync(app.Db, Throttles.Address(peer)));
        foreach (var address in spoofed)
        {
            Assert.Null(await Throttles.WindowAsync(app.Db, Throttles.Address(address)));
        }
    }

    [Fact]
    public async Task Through_a_trusted_proxy_each_client_address_has_its_own_limit()
    {
        await using var service = ServiceProcess.Start(settings: new Dictionary<string, string>
        {
            ["Throttling__AddressPermitLimit"] = AddressLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Proxies__KnownProxies__0"] = "127.0.0.1",
        });
        await service.WaitUntilReadyAsync(signIn: false);
        var clients = Enumerable.Range(0, AddressLimit + 2).Select(_ => Throttles.UniqueRemote()).ToList();

        // One attempt each from more clients than the limit: none is throttled.
        foreach (var client in clients)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await SignInAsync(service, client));
        }

        // One client past the limit: throttled, while another client still is not.
        for (var i = 0; i < AddressLimit - 1; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await SignInAsync(service, clients[0]));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await SignInAsync(service, clients[0]));
        Assert.Equal(HttpStatusCode.Unauthorized, await SignInAsync(service, clients[1]));
        Assert.Equal(new Throttles.Window(AddressLimit + 1, true), await Throttles.WindowAsync(app.Db, Throttles.Address(clients[0])));
        Assert.Equal(new Throttles.Window(2, true), await Throttles.WindowAsync(app.Db, Throttles.Address(clients[1])));
    }

    [Fact]
    public async Task Sigterm_turns_readiness_off_at_once_and_serves_through_the_drain_delay()
    {
        var drain = TimeSpan.FromSeconds(3);
        await using var service = ServiceProcess.Start(settings: new Dictionary<string, string>
        {
            ["Shutdown__DrainDelay"] = drain.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
        });
        await service.WaitUntilReadyAsync();
        Assert.Equal(HttpStatusCode.OK, (await service.Client.GetAsync("/health/ready")).StatusCode);

        var clock = Stopwatch.StartNew();
        service.Signal(ServiceProcess.SigTerm);
        var ready = await service.Client.GetAsync("/health/ready");
        while (ready.StatusCode == HttpStatusCode.OK && clock.Elapsed < drain)
        {
            await Task.Delay(20);
            ready = await service.Client.GetAsync("/health/ready");
        }

        var notReadyAfter = clock.Elapsed;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("shutting down", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Still served, after readiness went off, until the drain delay is over.
        var served = 0;
        while (clock.Elapsed < drain - TimeSpan.FromMilliseconds(500))
        {
            Assert.Equal(HttpStatusCode.OK, (await service.Client.GetAsync("/api/users/me")).StatusCode);
            served++;
            await Task.Delay(100);
        }

        Assert.Equal(0, await service.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(served > 0, $"no request was served after readiness went off ({notReadyAfter.TotalMilliseconds:F0} ms after SIGTERM)");
        Assert.True(notReadyAfter < drain / 2, $"readiness went off only {notReadyAfter.TotalMilliseconds:F0} ms after SIGTERM");
        Assert.Contains(service.Output, l => l.Contains("still serving for 3.0 s", StringComparison.Ordinal));
    }

    /// <summary>A sign-in claiming to be <paramref name="forwardedFor"/>, from <paramref name="peer"/> (else 127.0.0.1, the trusted proxy).</summary>
    static async Task<HttpStatusCode> SignInAsync(ServiceProcess service, IPAddress forwardedFor, IPAddress? peer = null)
    {
        using var client = peer is null ? null : service.ClientFrom(peer);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/token")
        {
            Content = JsonContent.Create(new { email = TestUsers.UniqueEmail("proxy"), password = "not the password at all" }),
        };
        request.Headers.Add("X-Forwarded-For", forwardedFor.ToString());
        using var rsp = await (client ?? service.Client).SendAsync(request);
        return rsp.StatusCode;
    }
}
