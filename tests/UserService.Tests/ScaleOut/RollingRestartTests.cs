using System.Diagnostics;
using Update = UserService.Features.Users.Update;

namespace UserService.Tests.ScaleOut;

/// <summary>
/// Three instances behind HAProxy (active checks on /health/ready), each restarted in turn (SIGTERM, exit, start,
/// ready, back in HAProxy's rotation) under client load through HAProxy: no client may see a failure of any kind.
/// One PostgreSQL, the tests' own.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class RollingRestartTests
{
    const int Instances = 3;
    const int Clients = 4;

    /// <summary>
    /// Readiness turns 503 at SIGTERM; HAProxy takes the instance out after <see cref="HaProxy.CheckFall"/> failed
    /// checks <see cref="HaProxy.CheckInterval"/> apart (each allowed as long again): the instance serves a second
    /// more than that before it stops accepting.
    /// </summary>
    static readonly TimeSpan DrainDelay = HaProxy.CheckInterval * (HaProxy.CheckFall + 1) + TimeSpan.FromSeconds(1);

    static readonly Dictionary<string, string> Settings = new()
    {
        ["Shutdown__DrainDelay"] = DrainDelay.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
        ["Proxies__KnownProxies__0"] = "127.0.0.1",
    };

    [Fact]
    public async Task Restarting_every_instance_in_turn_under_load_fails_no_request()
    {
        var free = new HashSet<int>();
        while (free.Count < Instances)
        {
            free.Add(ServiceProcess.FreePort());
        }

        var ports = free.ToArray();

        var instances = ports.Select(p => ServiceProcess.Start(settings: Settings, port: p)).ToArray();
        try
        {
            await Task.WhenAll(instances.Select(i => i.WaitUntilReadyAsync(signIn: false)));
            await using var proxy = await HaProxy.StartAsync(ports);
            await proxy.WaitUntilAllUpAsync(TimeSpan.FromSeconds(30));

            var clock = Stopwatch.StartNew();
            var clients = new List<(HttpClient Client, Guid Id)>();
            for (var c = 0; c < Clients; c++)
            {
                clients.Add(await SignUpAsync(proxy.Port, c));
            }

            var exchanges = new List<Exchange>[Clients];
            using var traffic = new CancellationTokenSource();
            var running = Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
            {
                exchanges[c] = [];
                var (client, id) = clients[c];
                for (var i = 0; !traffic.IsCancellationRequested; i++)
                {
                    var request = i % 3 == 2
                        ? new HttpRequestMessage(HttpMethod.Patch, $"/api/users/{id}") { Content = Json.Of(new Update.Patch { FullName = $"Rolling {c}-{i}" }) }
                        : new HttpRequestMessage(HttpMethod.Get, "/api/users/me");
                    exchanges[c].Add(await client.ExchangeAsync(request, clock, request.Method.Method, TimeSpan.FromSeconds(10)));
                    // About 200 requests a second in all: steady load that leaves the 2 cores room to start instances.
                    await Task.Delay(20);
                }
            })).ToList();

            var windows = new List<(TimeSpan From, TimeSpan To)>();
            var takenOut = new List<string>();
            try
            {
                for (var i = 0; i < Instances; i++)
                {
                    var from = clock.Elapsed;
                    var port = instances[i].Port;
                    instances[i].Signal(ServiceProcess.SigTerm);
                    takenOut.Add(await TakenOutAsync(proxy, instances[i], $"instance{i + 1}"));
                    Assert.Equal(0, await instances[i].WaitForExitAsync(TimeSpan.FromSeconds(60)));
                    await instances[i].DisposeAsync();
                    instances[i] = ServiceProcess.Start(settings: Settings, port: port);
                    await instances[i].WaitUntilReadyAsync(signIn: false);
                    await proxy.WaitUntilAllUpAsync(TimeSpan.FromSeconds(30));
                    windows.Add((from, clock.Elapsed));
                }
            }
            finally
            {
                await traffic.CancelAsync();
                await Task.WhenAll(running);
                foreach (var (client, _) in clients)
                {
                    client.Dispose();
                }
            }

            var all = exchanges.SelectMany(e => e).ToList();
            var failed = all.Where(e => !e.Answered || e.Code >= 300).ToList();
            TestReport.Line($"Rolling restart of {Instances} instances behind HAProxy in {windows[^1].To.TotalSeconds:F1} s (drain delay {DrainDelay.TotalSeconds:F1} s): " +
                   $"{all.Count} requests from {Clients} clients ({Exchange.Summary(all)}), {failed.Count} failed");
            foreach (var failure in failed.Take(20))
            {
                TestReport.Line($"FAILED {failure} {failure.Body}");
            }

            TestReport.Line($"HAProxy took each instance out on: {string.Join(", ", takenOut)} (L7STS: readiness answered 503 while it still served)");
            Assert.Empty(failed);
            // The drain delay's purpose: HAProxy stops routing to an instance while it still serves, never on a refused connection.
            Assert.All(takenOut, check => Assert.True(check is "L7STS" or "L7TOUT", $"an instance was taken out on {check}"));
            Assert.All(windows, w => Assert.Contains(all, e => e.SentAt > w.From && e.DoneAt < w.To));
        }
        finally
        {
            foreach (var instance in instances)
            {
                await instance.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// How the check that took the instance out of HAProxy's rotation ended: <c>L7STS</c> (readiness answered 503)
    /// when it was still serving, <c>L4CON</c> when it had already stopped accepting; <c>exited</c> if HAProxy never
    /// noticed before the process was gone.
    /// </summary>
    static async Task<string> TakenOutAsync(HaProxy proxy, ServiceProcess instance, string server)
    {
        while (!instance.HasExited)
        {
            var (status, check) = (await proxy.ServersAsync())[server];
            if (status.StartsWith("DOWN", StringComparison.Ordinal))
            {
                return check;
            }

            await Task.Delay(50);
        }

        return "exited";
    }

    /// <summary>A fresh user, signed up and signed in through HAProxy, on a client (and connections) of its own.</summary>
    static async Task<(HttpClient Client, Guid Id)> SignUpAsync(int port, int number)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        var email = TestUsers.UniqueEmail("rolling");
        var (user, _) = await client.SignUpAsync(email, $"Rolling {number}");
        return (client.WithToken(await Identity.SignInAsync(client, email)), user.Id);
    }
}
