using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using UserService.Features.Users;
using Update = UserService.Features.Users.Update;

namespace UserService.Tests.ScaleOut;

public sealed partial class FailoverTests
{
    /// <summary>A user as one writer's answers leave it: every full name it may have, null for "no row".</summary>
    sealed class Tracked(string email)
    {
        public string Email { get; } = email;

        public Guid? Id { get; set; }

        public List<string?> Candidates { get; set; } = [];

        public bool Present => Id is not null && !Candidates.Contains(null);
    }

    /// <summary>
    /// Creates users (as anyone may), renames and deletes them (as the admin), and keeps its ledger: a 2xx means the
    /// write happened, a 503 or a broken connection that it may have happened; anything else is wrong.
    /// </summary>
    sealed class Writer(int number, HttpClient admin, Stopwatch clock)
    {
        readonly Random random = new(number);

        public List<Tracked> Users { get; } = [];

        public List<Exchange> Exchanges { get; } = [];

        /// <summary>When each acknowledged write's answer arrived (read by the test while the writer runs).</summary>
        public ConcurrentQueue<TimeSpan> Acknowledged { get; } = new();

        public List<string> Wrong { get; } = [];

        public async Task RunAsync(CancellationToken stop)
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var present = Users.Where(u => u.Present).ToList();
                if (i % 4 == 0 || present.Count == 0)
                {
                    await CreateAsync($"Writer {number}-{i}");
                }
                else if (i % 8 == 3)
                {
                    await DeleteAsync(present[random.Next(present.Count)]);
                }
                else
                {
                    await RenameAsync(present[random.Next(present.Count)], $"Writer {number}-{i}");
                }
            }
        }

        async Task CreateAsync(string fullName)
        {
            var user = new Tracked(TestUsers.UniqueEmail("failover"));
            Users.Add(user);
            var (exchange, fate) = await SendAsync("create", new(HttpMethod.Post, "/api/users")
            {
                Content = Json.Of(TestUsers.SignUp(user.Email, fullName)),
            }, HttpStatusCode.Created);
            user.Candidates = fate ? [fullName] : [null, fullName];
            if (fate)
            {
                user.Id = JsonSerializer.Deserialize<UserResponse>(exchange.Body, JsonSerializerOptions.Web)!.Id;
            }
        }

        async Task RenameAsync(Tracked user, string fullName)
        {
            var (_, fate) = await SendAsync("patch", new(HttpMethod.Patch, $"/api/users/{user.Id}")
            {
                Content = Json.Of(new Update.Patch { FullName = fullName }),
            }, HttpStatusCode.OK);
            Apply(user, fate, fullName);
        }

        async Task DeleteAsync(Tracked user)
        {
            var (_, fate) = await SendAsync("delete", new(HttpMethod.Delete, $"/api/users/{user.Id}"), HttpStatusCode.NoContent);
            Apply(user, fate, null);
        }

        static void Apply(Tracked user, bool acknowledged, string? state)
        {
            if (acknowledged)
            {
                user.Candidates = [state];
            }
            else
            {
                user.Candidates.Add(state);
            }
        }

        /// <summary>
        /// True: acknowledged. False: it may have happened (a 503, which must carry Retry-After, or anything else, which
        /// is also recorded as wrong, so that the ledger stays sound while the test fails).
        /// </summary>
        async Task<(Exchange Exchange, bool Acknowledged)> SendAsync(string name, HttpRequestMessage request, HttpStatusCode success)
        {
            var exchange = await admin.ExchangeAsync(request, clock, name, TimeSpan.FromSeconds(30));
            Exchanges.Add(exchange);
            if (exchange.Status == success && exchange.Answered)
            {
                Acknowledged.Enqueue(exchange.DoneAt);
                return (exchange, true);
            }

            if (exchange.Status != HttpStatusCode.ServiceUnavailable || exchange.RetryAfter is null || !exchange.Answered)
            {
                Wrong.Add($"{exchange} {exchange.Body}");
            }

            // As a client honouring Retry-After would, without waiting the whole of it.
            await Task.Delay(100);
            return (exchange, false);
        }
    }
}
