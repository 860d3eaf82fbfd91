using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using CsCheck;
using Dapper;
using UserService.Features.Users;

namespace UserService.Tests.Reliability;

/// <summary>
/// Thousands of generated requests per endpoint against the in-memory app: never a 5xx, every 4xx a problem
/// details body, and the database exactly as it was after every rejected request.
/// </summary>
[Collection(ExclusiveDatabaseCollection.Name)]
public sealed partial class HostileInputTests(App app)
{
    static readonly long Iterations =
        long.TryParse(Environment.GetEnvironmentVariable("USERSERVICE_HOSTILE_ITERATIONS"), CultureInfo.InvariantCulture, out var n) ? n : 2000;

    [Fact]
    public Task Create_never_answers_5xx_and_what_it_rejects_leaves_no_trace() => RunAsync(
        Gen.Select(HostileGen.Body, HostileGen.ContentType, HostileGen.Headers, (body, type, headers) =>
            new HostileRequest("POST", "/api/users", body, type, headers)), null, 400, 415);

    [Fact]
    public Task Update_never_answers_5xx_and_what_it_rejects_leaves_no_trace() => RunAsync(
        Gen.Select(HostileGen.Id, HostileGen.BindingQuery, HostileGen.Body, HostileGen.ContentType, HostileGen.Headers, (id, query, body, type, headers) =>
            new HostileRequest("PATCH", $"/api/users/{id}{query}", body, type, headers)), null, 400, 404, 415);

    [Fact]
    public Task Delete_never_answers_5xx_and_what_it_rejects_leaves_no_trace() => RunAsync(
        Gen.Select(HostileGen.Id, HostileGen.BindingQuery, HostileGen.Body.Null(0.8), HostileGen.ContentType, HostileGen.Headers, (id, query, body, type, headers) =>
            new HostileRequest("DELETE", $"/api/users/{id}{query}", body, type, headers)), null, 204, 404);

    [Fact]
    public Task Get_never_answers_5xx() => RunAsync(
        Gen.Select(HostileGen.Id, HostileGen.BindingQuery, HostileGen.Body.Null(0.9), HostileGen.ContentType, HostileGen.Headers, (id, query, body, type, headers) =>
            new HostileRequest("GET", $"/api/users/{id}{query}", body, type, headers)), null, 200, 404);

    [Fact]
    public Task List_never_answers_5xx_whatever_the_query_string() => RunAsync(
        Gen.Select(HostileGen.Query, HostileGen.Body.Null(0.95), HostileGen.ContentType, HostileGen.Headers, (query, body, type, headers) =>
            new HostileRequest("GET", $"/api/users{query}", body, type, headers)), null, 200, 400);

    [Fact]
    public Task Sign_in_never_answers_5xx_and_changes_nothing() => RunAsync(
        Gen.Select(HostileGen.SignInBody, HostileGen.ContentType, HostileGen.Headers, (body, type, headers) =>
            new HostileRequest("POST", "/api/auth/token", body, type, headers)), null, 400, 401, 415);

    [Fact]
    public Task Refresh_never_answers_5xx_and_changes_nothing() => RunAsync(
        Gen.Select(HostileGen.RefreshBody, HostileGen.ContentType, HostileGen.Headers, (body, type, headers) =>
            new HostileRequest("POST", "/api/auth/refresh", body, type, headers)), null, 400, 401, 415);

    [Fact]
    public Task Logout_never_answers_5xx() => RunAsync(
        Gen.Select(HostileGen.RefreshBody, HostileGen.ContentType, HostileGen.Headers, (body, type, headers) =>
            new HostileRequest("POST", "/api/auth/logout", body, type, headers)), null, 204, 400, 415);

    [Fact]
    public Task Any_method_on_any_route_never_answers_5xx() => RunAsync(
        Gen.Select(
            Gen.OneOf("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "FOO", "HEAD", "head", "get", "QUERY", "PROPFIND", "CONNECT"),
            Gen.OneOf("/api/users", "/api/users/", $"/api/users/{HostileRequest.Fixture}", "/api/users/x/y", "/api", "/api/", "/", "/health/live",
                "/health/ready", "/health", "/api/users/me", "/api/auth/token", "/swagger/v1/swagger.json", "/api//users", "/API/USERS", "/api/users%2F1",
                "/_test_url_cache_", "/api/users/%20", "/api/auth/refresh", "/api/auth/logout", "/api/users/me/sessions",
                $"/api/users/me/sessions/{HostileRequest.Fixture}", "/api/users/me/sessions/x"),
            HostileGen.Body.Null(0.6), HostileGen.ContentType, HostileGen.Headers,
            (method, path, body, type, headers) => new HostileRequest(method, path, body, type, headers)),
        Iterations / 2, 200, 404, 405);

    [Fact]
    public async Task Odd_but_valid_unicode_in_emails_and_names_round_trips_exactly()
    {
        var names = Gen.Frequency(
            (3, Gen.OneOf("Zoë Ñúñez", "李小龙", "Ωμέγα", "👩 Family", "e\u0301 combining", "Jose\u0301", "ǅungla", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
                "O'Brien-Smith", "Robert'); DROP TABLE users;--", "%_\\", new string('ß', 200), string.Concat(Enumerable.Repeat("😀", 100)))),
            (1, Gen.Char['\u00A1', '\uD7FF'].Where(c => char.GetUnicodeCategory(c) is not (UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned))
                .Array[1, 50].Select(a => new string(a))));
        var locals = Gen.OneOf("zoë", "zoe\u0308", "用户", "ünïcödé", "O'Brien", "a+b", "ʜᴇʟʟᴏ", "x", "Ada", "\uFF41da");
        var hosts = Gen.OneOf("exämple.com", "EXA\u0308MPLE.com", "例子.广告", "example.com", "xn--exmple-cua.com", "ᴇxᴀᴍᴘʟᴇ.ᴄᴏᴍ", "EXAMPLE.COM");
        var created = 0;
        await Gen.Select(locals, hosts, names).SampleAsync(async (local, host, name) =>
        {
            var email = $"{local}.{Guid.NewGuid():N}@{host}";
            var rsp = await app.Client.PostAsJsonAsync("/api/users", new { email, password = TestUsers.Password, fullName = name });
            Assert.True(rsp.StatusCode == HttpStatusCode.Created, $"{(int)rsp.StatusCode} for {email} / {name}: {await rsp.Content.ReadAsStringAsync()}");
            var user = (await rsp.Content.ReadFromJsonAsync<UserResponse>())!;
            var fetched = await app.Client.GetFromJsonAsync<UserResponse>($"/api/users/{user.Id}");
            var row = await app.RowAsync(user.Id);
            // Stored and answered in the canonical form: NFKC, lower case, the domain as Unicode labels; names NFC.
            var canonical = CanonicalEmail(email);
            var fullName = name.Trim().Normalize(NormalizationForm.FormC);
            Assert.Equal((canonical, fullName), (user.Email, user.FullName));
            Assert.Equal((canonical, fullName), (fetched!.Email, fetched.FullName));
            Assert.Equal((canonical, fullName), (row!.Email, row.FullName));
            await Identity.SignInAsync(app.Anonymous, email);
            var search = await app.Client.GetAsync($"/api/users?q={Uri.EscapeDataString(email)}");
            Assert.Equal(HttpStatusCode.OK, search.StatusCode);
            Interlocked.Increment(ref created);
        }, iter: 40, threads: 1);
        TestReport.Line($"{created} users with odd but valid Unicode created, read back and searched for exactly");
    }

    /// <summary>The expected canonical form, computed here independently of the service's code.</summary>
    static string CanonicalEmail(string email)
    {
        var (local, host) = (email[..email.IndexOf('@', StringComparison.Ordinal)], email[(email.IndexOf('@', StringComparison.Ordinal) + 1)..]);
        var idn = new IdnMapping { UseStd3AsciiRules = true };
        return $"{local.Normalize(NormalizationForm.FormKC).ToLowerInvariant()}@{idn.GetUnicode(idn.GetAscii(host)).ToLowerInvariant()}";
    }

    async Task RunAsync(Gen<HostileRequest> requests, long? iterations = null, params int[] expected)
    {
        var run = new Run(app);
        await run.StartAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            await requests.SampleAsync(run.CheckAsync, iter: iterations ?? Iterations, threads: 1, print: r => r.ToString());
        }
        catch (Exception) when (run.FirstFailure is not null)
        {
            // CsCheck reports the smallest failing input it shrank to; the first one is the most telling here.
            TestReport.Line($"First failure: {run.FirstFailure}");
            throw;
        }

        TestReport.Line($"{run.Sent} generated requests in {clock.Elapsed.TotalSeconds:F1} s: {run.Summary}; {run.Rejected} rejected, each leaving the database as it was");

        // Passing on one status alone proves little: every request goes out with the admin's token, so a 401 means
        // the token died (and everything after it was refused before reaching the code under test).
        if (!expected.Contains(401))
        {
            Assert.False(run.Statuses.ContainsKey(401), $"401s: the shared token stopped working ({run.Summary})");
        }
        if (run.Sent >= 200)
        {
            foreach (var status in expected)
            {
                Assert.True(run.Statuses.ContainsKey(status), $"never reached {status}: {run.Summary}");
            }
        }
    }
}
