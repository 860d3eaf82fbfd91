using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Dapper;
using Npgsql;

namespace UserService.Tests.Support;

/// <summary>
/// Throttling counters live in the one test database for a whole window, shared by every test and every service
/// process: a test that counts must own its keys. Accounts are unique emails; client addresses are unique loopback
/// addresses (all of 127.0.0.0/8 is local on Linux) that a client binds its connections to.
/// </summary>
internal static class Throttles
{
    internal sealed record Window(int Hits, bool Open);

    /// <summary>The key of an account whose email is already canonical (lower-case ASCII, as the tests' are).</summary>
    public static string Account(string email) => $"account:{email}";

    public static string Address(IPAddress address) => $"address:{address}";

    /// <summary>A loopback address no other test uses (never 127.0.0.1, which every default client shares).</summary>
    public static IPAddress UniqueLoopback() =>
        new([127, (byte)Random.Shared.Next(1, 255), (byte)Random.Shared.Next(0, 256), (byte)Random.Shared.Next(1, 255)]);

    /// <summary>An address in 10.0.0.0/8 no other test uses, for <c>X-Forwarded-For</c>.</summary>
    public static IPAddress UniqueRemote() =>
        new([10, (byte)Random.Shared.Next(0, 256), (byte)Random.Shared.Next(0, 256), (byte)Random.Shared.Next(1, 255)]);

    /// <summary>A client of the service whose connections come from <paramref name="source"/>.</summary>
    public static HttpClient ClientFrom(this ServiceProcess service, IPAddress source) =>
        new(new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(source.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        })
        {
            BaseAddress = service.Client.BaseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };

    /// <summary>The window of a key as PostgreSQL has it; null when it has no row.</summary>
    public static async Task<Window?> WindowAsync(NpgsqlDataSource db, string key)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.QuerySingleOrDefaultAsync<Window>(
            "SELECT hits, window_end > now() AS open FROM throttle_windows WHERE key = @key", new { key });
    }

    /// <summary>Writes a key's window directly: one that ends <paramref name="endsIn"/> from now (negative: ended).</summary>
    public static async Task SeedAsync(NpgsqlDataSource db, string key, TimeSpan endsIn, int hits)
    {
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync(
            """
            INSERT INTO throttle_windows (key, window_end, hits) VALUES (@key, now() + make_interval(secs => @seconds), @hits)
            ON CONFLICT (key) DO UPDATE SET window_end = excluded.window_end, hits = excluded.hits
            """,
            new { key, seconds = endsIn.TotalSeconds, hits });
    }

    /// <summary>Statuses in runs, for a test's report: "4 × 401, then 8 × 429".</summary>
    public static string Runs(IEnumerable<int> statuses)
    {
        var runs = new List<(int Status, int Count)>();
        foreach (var status in statuses)
        {
            if (runs.Count > 0 && runs[^1].Status == status)
            {
                runs[^1] = (status, runs[^1].Count + 1);
            }
            else
            {
                runs.Add((status, 1));
            }
        }

        return string.Join(", then ", runs.Select(r => $"{r.Count} × {r.Status}"));
    }

    public static Task<HttpResponseMessage> SignInAsync(ServiceProcess service, IPAddress from, string email, string password) =>
        PostAsync(service, from, "/api/auth/token", new { email, password });

    /// <summary>A POST from <paramref name="from"/>, its answer read to the end.</summary>
    public static async Task<HttpResponseMessage> PostAsync<T>(ServiceProcess service, IPAddress from, string path, T body)
    {
        using var client = service.ClientFrom(from);
        var rsp = await client.PostAsJsonAsync(path, body);
        await rsp.Content.LoadIntoBufferAsync();
        return rsp;
    }

    /// <summary>A 429 problem whose <c>Retry-After</c> is within the default one-minute window.</summary>
    public static async Task AssertThrottledAsync(HttpResponseMessage rsp)
    {
        await rsp.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.InRange(rsp.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);
    }
}
