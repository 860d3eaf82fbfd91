using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Dapper;

namespace UserService.Tests.Reliability;

public sealed partial class HostileInputTests
{
    /// <summary>
    /// One property run: an admin of its own (a route that ends every session of its caller must not end the shared
    /// admin's), a fixture user to aim at, and what the database looked like after the last request.
    /// </summary>
    sealed class Run(App app)
    {
        HttpClient client = null!;
        readonly ConcurrentDictionary<string, int> statuses = new();
        readonly SemaphoreSlim gate = new(1);
        Guid lowerBound;
        Guid fixture;
        (long Rows, string Hash) baseline;

        public int Sent { get; private set; }

        public int Rejected { get; private set; }

        public string Summary => string.Join(", ", statuses.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}x{p.Value}"));

        public IReadOnlyDictionary<int, int> Statuses => statuses.ToDictionary(p => int.Parse(p.Key, CultureInfo.InvariantCulture), p => p.Value);

        /// <summary>How many times a success ended the caller's sessions, and a new admin took over.</summary>
        public int SignIns { get; private set; }

        public async Task StartAsync()
        {
            lowerBound = LowerBound(DateTimeOffset.UtcNow.AddSeconds(-1));
            (_, client) = await app.NewAdminAsync();
            await NewFixtureAsync();
        }

        public string? FirstFailure { get; private set; }

        /// <summary>One at a time, whatever CsCheck does while shrinking: the check compares database states.</summary>
        public async Task CheckAsync(HostileRequest request)
        {
            await gate.WaitAsync();
            try
            {
                await CheckOneAsync(request);
            }
            catch (Exception e)
            {
                FirstFailure ??= e.Message;
                throw;
            }
            finally
            {
                gate.Release();
            }
        }

        async Task CheckOneAsync(HostileRequest request)
        {
            using var message = request.ToMessage(fixture);
            using var rsp = await client.SendAsync(message);
            var code = (int)rsp.StatusCode;
            var body = await rsp.Content.ReadAsStringAsync();
            Sent++;
            statuses.AddOrUpdate(code.ToString(CultureInfo.InvariantCulture), 1, (_, c) => c + 1);

            Assert.True(code < 500, $"{code} for {request}: {body}");
            if (request.Method == "GET" && code == 200 && request.Target.Split('?')[0].EndsWith($"/{HostileRequest.Fixture}", StringComparison.Ordinal))
            {
                // Whatever the query string says, the route's id is the one answered.
                Assert.True(body.Contains($"\"id\":\"{fixture}\"", StringComparison.Ordinal), $"answered another user for {request}: {body}");
            }
            if (code >= 400 && !string.Equals(request.Method, "HEAD", StringComparison.OrdinalIgnoreCase))
            {
                try
                {
                    await rsp.AssertProblemAsync(rsp.StatusCode);
                }
                catch (Exception e)
                {
                    throw new InvalidOperationException($"not a problem details {code} for {request}: {body}", e);
                }
            }

            var now = await FingerprintAsync();
            if (code >= 300)
            {
                Rejected++;
                Assert.True(now == baseline, $"rejected with {code}, yet the database changed from {baseline} to {now}: {request}");
            }

            baseline = now;
            if (await app.RowAsync(fixture) is null)
            {
                await NewFixtureAsync();
            }

            // A success may have ended the caller's sessions on purpose (sign out everywhere): go on as a new admin (the
            // same one signing in again would soon meet the per-account limit), so that a later 401 still means a
            // refusal, never a token this run killed itself.
            if (code < 300 && (await client.GetAsync("/api/users/me")).StatusCode == HttpStatusCode.Unauthorized)
            {
                (_, client) = await app.NewAdminAsync();
                SignIns++;
                baseline = await FingerprintAsync();
            }
        }

        async Task NewFixtureAsync()
        {
            fixture = Guid.CreateVersion7();
            await using var connection = await app.Db.OpenConnectionAsync();
            await connection.ExecuteAsync(
                "INSERT INTO users (id, email, password_hash, full_name) VALUES (@id, @email, 'not a hash', 'Hostile Target')",
                new { id = fixture, email = TestUsers.UniqueEmail("hostile") });
            baseline = await FingerprintAsync();
        }

        /// <summary>
        /// Rows created since the run began (UUIDv7 ids sort by time), each whole row hashed in id order: a write to any
        /// column (an email or a password hash that changed without its version) moves it. Every session too (the run
        /// has the database to itself): a refused refresh or sign-out must not touch one.
        /// </summary>
        async Task<(long, string)> FingerprintAsync()
        {
            await using var connection = await app.Db.OpenConnectionAsync();
            return await connection.QuerySingleAsync<(long, string)>(
                """
                SELECT count(*), coalesce(md5(string_agg(u::text, '|' ORDER BY u.id)), '')
                    || (SELECT coalesce(md5(string_agg(s::text, '|' ORDER BY s.id)), '') FROM sessions s)
                FROM users u WHERE u.id >= @lowerBound
                """, new { lowerBound });
        }

        static Guid LowerBound(DateTimeOffset at)
        {
            Span<byte> bytes = stackalloc byte[16];
            var ms = at.ToUnixTimeMilliseconds();
            for (var i = 0; i < 6; i++)
            {
                bytes[i] = (byte)(ms >> (8 * (5 - i)));
            }

            bytes[6] = 0x70;
            return new Guid(bytes, bigEndian: true);
        }
    }
}
