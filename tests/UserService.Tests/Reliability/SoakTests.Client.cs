using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Dapper;
using Update = UserService.Features.Users.Update;

namespace UserService.Tests.Reliability;

/// <summary>One soak client: its requests and how it files each answer in its ledger.</summary>
public sealed partial class SoakTests
{
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
            var e = await SendAsync("create", HttpMethod.Post, "/api/users", body: TestUsers.SignUp(user.Email, name));
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
            var e = await SendAsync("patch", HttpMethod.Patch, $"/api/users/{user.Id}", current.Version, new Update.Patch { FullName = name });
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
            var e = await SendAsync("stale-patch", HttpMethod.Patch, $"/api/users/{user.Id}", 0, new Update.Patch { FullName = Name("stale") });
            Judge(e, 412);
        }

        /// <summary>A refusal on purpose: the same email in other letter case is taken.</summary>
        async Task DuplicateCreateAsync(TrackedUser user)
        {
            var e = await SendAsync("duplicate", HttpMethod.Post, "/api/users",
                body: TestUsers.SignUp(user.Email.ToUpperInvariant(), Name("duplicate")));
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

        async Task<Exchange> SendAsync(string name, HttpMethod method, string path, long? ifMatch = null, object? body = null)
        {
            var request = new HttpRequestMessage(method, path);
            if (body is not null)
            {
                request.Content = Json.Of(body);
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
