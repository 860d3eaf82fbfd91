using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Dapper;

namespace UserService.Tests.Reliability;

/// <summary>
/// Many clients create, update and delete users while PostgreSQL (a throwaway cluster) is restarted under them.
/// Each client keeps a ledger of its own users. An answer is either an acknowledgement (2xx: it happened), a
/// refusal (4xx, or a 503 sent after the server was fully down and answered before it was started again: it cannot
/// have happened) or ambiguous (a connection error or any other 503: it may have happened). The ledger holds, per
/// user, every state the acknowledged and ambiguous answers allow, and the database must be in one of them, both
/// when a client re-reads a user and at the end; a state that only a refused request could have produced, or one
/// that loses an acknowledged write, fails the test.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class SoakTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>
{
    const int Clients = 12;
    static readonly TimeSpan Duration = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("USERSERVICE_SOAK_SECONDS"), CultureInfo.InvariantCulture, out var seconds) ? seconds : 40);

    static void Report(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    [Fact]
    public async Task Writes_from_many_clients_across_a_postgresql_restart_lose_nothing_acknowledged_and_keep_nothing_refused()
    {
        await using var service = ServiceProcess.Start(cluster.ConnectionString);
        await service.WaitUntilReadyAsync();
        var outage = new Outage();
        var clock = Stopwatch.StartNew();
        using var traffic = new CancellationTokenSource(Duration);
        var clients = Enumerable.Range(0, Clients).Select(c => new Client(c, service, clock, outage)).ToList();
        var running = clients.Select(c => Task.Run(() => c.RunAsync(traffic.Token))).ToList();

        await Task.Delay(Duration * 0.4);
        await cluster.StopAsync();
        outage.Down(clock.Elapsed);
        await Task.Delay(TimeSpan.FromSeconds(3));
        outage.Starting(clock.Elapsed);
        await cluster.StartAsync();
        var up = clock.Elapsed;
        await Task.WhenAll(running);

        await using var db = cluster.CreateDataSource();
        await using var connection = await db.OpenConnectionAsync();
        var rows = (await connection.QueryAsync<(Guid Id, string Email, string FullName, long Version)>(
            "SELECT id, email, full_name, version FROM users")).ToList();
        var ledger = clients.SelectMany(c => c.Users).ToList();
        var violations = clients.SelectMany(c => c.Violations).ToList();
        var exact = 0;
        foreach (var user in ledger)
        {
            var matches = rows.Where(r => string.Equals(r.Email, user.Email, StringComparison.OrdinalIgnoreCase)).ToList();
            if (matches.Count > 1)
            {
                violations.Add($"{user.Email}: {matches.Count} rows");
                continue;
            }

            State? actual = matches is [var row] ? new(row.Version, row.FullName) : null;
            if (user.Id is { } id && matches is [var found] && found.Id != id)
            {
                violations.Add($"{user.Email}: row {found.Id}, acknowledged as {id}");
            }

            if (!user.Candidates.Contains(actual))
            {
                violations.Add($"{user.Email}: database has {actual?.ToString() ?? "no row"}, ledger allows {string.Join(" or ", user.Candidates.Select(c => c?.ToString() ?? "no row"))}");
            }

            exact += user.Candidates.Count == 1 ? 1 : 0;
        }

        // Every soak-… row is in some client's ledger (rows of other origins, such as a configured admin, are not ours).
        var untracked = rows.Count(r => r.Email.StartsWith("soak-", StringComparison.OrdinalIgnoreCase)
                                        && !ledger.Any(u => string.Equals(u.Email, r.Email, StringComparison.OrdinalIgnoreCase)));
        var exchanges = clients.SelectMany(c => c.Exchanges).ToList();
        var counts = clients.SelectMany(c => c.Counts).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Sum(p => p.Value));
        string Count(string key) => counts.GetValueOrDefault(key).ToString(CultureInfo.InvariantCulture);
        Report($"Soak: {Clients} clients for {Duration.TotalSeconds:F0} s; PostgreSQL down from {outage.DownAt.TotalSeconds:F1} s to {outage.StartingAt.TotalSeconds:F1} s, up again at {up.TotalSeconds:F1} s");
        Report($"{exchanges.Count} requests: {Exchange.Summary(exchanges)}; slowest {exchanges.Max(e => e.Elapsed.TotalMilliseconds):F0} ms");
        Report($"Operations: create {Count("create")}, patch {Count("patch")}, stale patch {Count("stale-patch")}, duplicate create {Count("duplicate")}, delete {Count("delete")}, re-read {Count("resync")}");
        Report($"Write fates: acknowledged {Count("acknowledged")}, refused {Count("refused")} (4xx {Count("refused-4xx")}, 503 while down {Count("refused-503")}), " +
               $"ambiguous {Count("ambiguous")} (later found applied {Count("ambiguous-applied")}, not applied {Count("ambiguous-not-applied")})");
        Report($"End state: {ledger.Count} users in the ledger, {rows.Count} rows, {exact} checked exactly and {ledger.Count - exact} against their possible states, {untracked} rows nobody asked for; {violations.Count} violations");
        foreach (var violation in violations.Take(20))
        {
            Report($"VIOLATION {violation}");
        }

        Assert.Empty(violations);
        Assert.Equal(0, untracked);
        Assert.True(counts.GetValueOrDefault("refused-503") > 0, "the restart should have refused some writes");
        Assert.True(counts.GetValueOrDefault("acknowledged") > 50, "the soak should acknowledge a fair number of writes");
        Assert.DoesNotContain(exchanges, e => e.HalfAnswered);
    }

    /// <summary>A user's row as the ledger and the database see it.</summary>
    sealed record State(long Version, string FullName)
    {
        public override string ToString() => $"(version {Version}, {FullName})";
    }

    /// <summary>When PostgreSQL was certainly down: after its stop returned, before its start began.</summary>
    sealed class Outage
    {
        long downTicks = long.MaxValue;
        long startingTicks = long.MaxValue;

        public TimeSpan DownAt => TimeSpan.FromTicks(Volatile.Read(ref downTicks));

        public TimeSpan StartingAt => TimeSpan.FromTicks(Volatile.Read(ref startingTicks));

        public void Down(TimeSpan at) => Volatile.Write(ref downTicks, at.Ticks);

        public void Starting(TimeSpan at) => Volatile.Write(ref startingTicks, at.Ticks);

        /// <summary>Judged right after the answer: a start not yet begun lies after it.</summary>
        public bool Covers(Exchange e) => e.SentAt.Ticks > Volatile.Read(ref downTicks) && e.DoneAt.Ticks < Volatile.Read(ref startingTicks);
    }

    sealed class TrackedUser(string email)
    {
        public string Email { get; } = email;

        public Guid? Id { get; set; }

        /// <summary>Every state the answers so far allow; null is "no row".</summary>
        public List<State?> Candidates { get; set; } = [];
    }

    enum Fate { Acknowledged, Refused, Ambiguous, Wrong }

    sealed class Client(int number, ServiceProcess service, Stopwatch clock, Outage outage)
    {
        readonly Random random = new(number);

        public List<TrackedUser> Users { get; } = [];

        public List<string> Violations { get; } = [];

        public ConcurrentBag<Exchange> Exchanges { get; } = [];

        public Dictionary<string, int> Counts { get; } = [];

        public async Task RunAsync(CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                var roll = random.Next(100);
                var live = Users.Where(u => u.Id is not null && u.Candidates is not [null]).ToList();
                if (roll < 20 || live.Count == 0)
                {
                    await CreateAsync();
                    continue;
                }

                var user = live[random.Next(live.Count)];
                if (user.Candidates.Count > 1)
                {
                    await ResyncAsync(user);
                }
                else if (roll < 70)
                {
                    await PatchAsync(user, user.Candidates[0]!);
                }
                else if (roll < 78)
                {
                    await StalePatchAsync(user);
                }
                else if (roll < 83)
                {
                    await DuplicateCreateAsync(user);
                }
                else
                {
                    await DeleteAsync(user, user.Candidates[0]!);
                }
            }
        }

        async Task CreateAsync()
        {
            var user = new TrackedUser($"soak-{number}-{Guid.NewGuid():N}@example.com");
            var name = Name("created");
            Users.Add(user);
            var e = await SendAsync("create", HttpMethod.Post, "/api/users", json: $$"""{"email":"{{user.Email}}","password":"{{TestUsers.Password}}","fullName":"{{name}}"}""");
            switch (Judge(e, 201))
            {
                case Fate.Acknowledged:
                    var body = JsonDocument.Parse(e.Body).RootElement;
                    user.Id = body.GetProperty("id").GetGuid();
                    user.Candidates = [Read(e)];
                    Expect(user.Candidates[0] == new State(1, name), $"create answered {user.Candidates[0]}");
                    break;
                case Fate.Refused:
                    user.Candidates = [null];
                    break;
                default:
                    user.Candidates = [null, new State(1, name)];
                    break;
            }
        }

        async Task PatchAsync(TrackedUser user, State current)
        {
            var name = Name("patched");
            var e = await SendAsync("patch", HttpMethod.Patch, $"/api/users/{user.Id}", current.Version, $$"""{"fullName":"{{name}}"}""");
            var next = new State(current.Version + 1, name);
            switch (Judge(e, 200))
            {
                case Fate.Acknowledged:
                    Expect(Read(e) == next, $"{user.Email}: PATCH on {current} answered {Read(e)}");
                    user.Candidates = [next];
                    break;
                case Fate.Ambiguous:
                    user.Candidates = [current, next];
                    break;
            }
        }

        /// <summary>A refusal on purpose: no user ever has version 0.</summary>
        async Task StalePatchAsync(TrackedUser user)
        {
            var e = await SendAsync("stale-patch", HttpMethod.Patch, $"/api/users/{user.Id}", 0, $$"""{"fullName":"{{Name("stale")}}"}""");
            Judge(e, 412);
        }

        /// <summary>A refusal on purpose: the same email in other letter case is taken.</summary>
        async Task DuplicateCreateAsync(TrackedUser user)
        {
            var e = await SendAsync("duplicate", HttpMethod.Post, "/api/users",
                json: $$"""{"email":"{{user.Email.ToUpperInvariant()}}","password":"{{TestUsers.Password}}","fullName":"{{Name("duplicate")}}"}""");
            Judge(e, 409);
        }

        async Task DeleteAsync(TrackedUser user, State current)
        {
            var e = await SendAsync("delete", HttpMethod.Delete, $"/api/users/{user.Id}", current.Version);
            switch (Judge(e, 204))
            {
                case Fate.Acknowledged:
                    user.Candidates = [null];
                    break;
                case Fate.Ambiguous:
                    user.Candidates = [current, null];
                    break;
            }
        }

        /// <summary>After an ambiguous answer, read the truth back before writing again; it must be one the ledger allows.</summary>
        async Task ResyncAsync(TrackedUser user)
        {
            var e = await SendAsync("resync", HttpMethod.Get, $"/api/users/{user.Id}");
            State? actual;
            if (e.Code == 200)
            {
                actual = Read(e);
            }
            else if (e.Code == 404)
            {
                actual = null;
            }
            else
            {
                Expect(e.Code is 503 or 0 && !e.HalfAnswered, $"re-read answered {e}");
                return;
            }

            Expect(user.Candidates.Contains(actual), $"{user.Email}: re-read found {actual?.ToString() ?? "no row"}, ledger allows {string.Join(" or ", user.Candidates.Select(c => c?.ToString() ?? "no row"))}");
            Bump(user.Candidates.IndexOf(actual) == 0 ? "ambiguous-not-applied" : "ambiguous-applied");
            user.Candidates = [actual];
        }

        /// <summary>Sorts an answer to a write; anything but the expected success, the expected refusal or a 503 is a violation.</summary>
        Fate Judge(Exchange e, int expected)
        {
            Fate fate;
            if (e.Answered && e.Code == expected && expected < 300)
            {
                fate = Fate.Acknowledged;
            }
            else if (e.Answered && e.Code == expected)
            {
                fate = Fate.Refused;
                Bump("refused-4xx");
            }
            else if (e.Answered && e.Code == 503 && outage.Covers(e))
            {
                fate = Fate.Refused;
                Bump("refused-503");
            }
            else if ((e.Answered && e.Code == 503) || e.Status is null)
            {
                fate = Fate.Ambiguous;
            }
            else
            {
                fate = Fate.Wrong;
                Violations.Add($"expected {expected}: {e} {e.Body}");
            }

            Bump(fate.ToString().ToLowerInvariant());
            return fate;
        }

        async Task<Exchange> SendAsync(string name, HttpMethod method, string path, long? ifMatch = null, string? json = null)
        {
            var request = new HttpRequestMessage(method, path);
            if (json is not null)
            {
                request.Content = Json.Body(json);
            }

            if (ifMatch is not null)
            {
                request.Headers.TryAddWithoutValidation("If-Match", $"\"{ifMatch}\"");
            }

            var e = await service.Client.ExchangeAsync(request, clock, name, TimeSpan.FromSeconds(20));
            Exchanges.Add(e);
            Bump(name);
            if (e.Code is 503 or 0)
            {
                // A client that backs off a little (less than Retry-After asks, to keep the pressure on).
                await Task.Delay(100);
            }

            return e;
        }

        static State Read(Exchange e) => new(ETagOf(e), JsonDocument.Parse(e.Body).RootElement.GetProperty("fullName").GetString()!);

        static long ETagOf(Exchange e) => e.ETag is { Length: > 2 } tag ? long.Parse(tag.AsSpan(1, tag.Length - 2), CultureInfo.InvariantCulture) : -1;

        void Expect(bool condition, string violation)
        {
            if (!condition)
            {
                Violations.Add(violation);
            }
        }

        void Bump(string key) => Counts[key] = Counts.GetValueOrDefault(key) + 1;

        string Name(string what) => $"{what} {number}-{Guid.NewGuid().ToString("N")[..8]}";
    }
}
