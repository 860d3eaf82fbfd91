using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using CsCheck;
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

    /// <summary>Every operation the app maps, from the endpoints' own metadata: a new slice is covered without a word here.</summary>
    public static Task<TheoryData<string, string>> Routes() => ApiRoutes.RowsAsync(_ => true);

    [Theory, MemberData(nameof(Routes), DisableDiscoveryEnumeration = true)]
    public Task Every_route_never_answers_5xx_and_what_it_rejects_leaves_no_trace(string method, string pattern)
    {
        var route = ApiRoutes.Find(app, method, pattern);
        var path = route.RouteParameters.Count == 0 ? Gen.Const(route.Pattern) : HostileGen.Id.Select(route.PathWith);
        var query = route.QueryParameters.Count > 0 ? HostileGen.QueryOf(route.QueryParameters)
            : route.RouteParameters.Count > 0 ? HostileGen.BindingQuery
            : Gen.Const("");
        var body = route.BodyFields.Count > 0 ? HostileGen.BodyOf(route.BodyFields).Select(b => (byte[]?)b) : HostileGen.Body.Null(0.8);
        return RunAsync(
            Gen.Select(path, query, body, HostileGen.ContentType, HostileGen.Headers, (p, q, b, type, headers) => new HostileRequest(method, p + q, b, type, headers)),
            null, [.. Reached(route)]);
    }

    /// <summary>
    /// The statuses the generated requests must reach on a route, read from what the route takes: a body (400 for a
    /// bad one, 415 for another media type), route parameters (404 for an id of nobody), query parameters (400), a
    /// declared 401 on an anonymous route (refused credentials), and its success where nothing stands in the way.
    /// </summary>
    static SortedSet<int> Reached(ApiRoute route)
    {
        var reached = new SortedSet<int>(AlsoReached.GetValueOrDefault(route.OperationId ?? "", []));
        if (route.BodyFields.Count > 0)
        {
            reached.UnionWith([400, 415]);
        }
        if (route.RouteParameters.Count > 0)
        {
            reached.Add(404);
        }
        if (route.QueryParameters.Count > 0)
        {
            reached.Add(400);
        }
        if (route.IsAnonymous && route.Statuses.Contains(401))
        {
            reached.Add(401);
        }
        if (route.BodyFields.Count == 0 && route.RouteParameters.Count == 0)
        {
            reached.Add(route.Success);
        }

        return reached;
    }

    /// <summary>
    /// Successes the generators reach on some routes but cannot be told from the metadata: an id placeholder that names
    /// the fixture user, a sign-out that answers 204 to any token. A route missing here still gets every check above.
    /// </summary>
    static readonly Dictionary<string, int[]> AlsoReached = new()
    {
        ["GetUser"] = [200],
        ["DeleteUser"] = [204],
        ["Logout"] = [204],
    };

    [Fact]
    public Task Any_method_on_any_route_never_answers_5xx()
    {
        // Every route the app maps (its own and the framework's), each with ids filled in, a stranger, a blank, a
        // trailing segment, other casing, a doubled or an encoded slash; and paths that are no route at all.
        string[] targets =
        [
            .. ApiRoutes.Patterns(app).SelectMany(Variants).Distinct(),
            "/", "/api", "/api/", "/health", "/swagger/v1/swagger.json", "/api/nothing-here",
        ];
        return RunAsync(
            Gen.Select(
                Gen.OneOf("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "FOO", "HEAD", "head", "get", "QUERY", "PROPFIND", "CONNECT"),
                Gen.OneOf(targets),
                HostileGen.Body.Null(0.6), HostileGen.ContentType, HostileGen.Headers,
                (method, path, body, type, headers) => new HostileRequest(method, path, body, type, headers)),
            Iterations / 2, 200, 404, 405);
    }

    static IEnumerable<string> Variants(string pattern)
    {
        var one = ApiRoute.Fill(pattern, "1");
        var last = one.LastIndexOf('/');
        yield return ApiRoute.Fill(pattern, HostileRequest.Fixture);
        yield return ApiRoute.Fill(pattern, HostileRequest.Fixture) + "/";
        yield return ApiRoute.Fill(pattern, "x");
        yield return ApiRoute.Fill(pattern, "%20");
        yield return ApiRoute.Fill(pattern, "x") + "/x/y";
        yield return one.ToUpperInvariant();
        yield return one.Insert(one.IndexOf('/', 1) + 1, "/");
        if (last > 0)
        {
            yield return one[..last] + "%2F" + one[(last + 1)..];
        }
    }

    [Fact]
    public async Task Odd_but_valid_unicode_in_emails_and_names_round_trips_exactly()
    {
        var names = Gen.Frequency(
            (3, Gen.OneOf("Zoë Ñúñez", "李小龙", "Ωμέγα", "👩 Family", "e\u0301 combining", "Jose\u0301", "ǅungla", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
                "O'Brien-Smith", "Robert'); DROP TABLE users;--", "%_\\", new string('ß', 200), string.Concat(Enumerable.Repeat("😀", 100)))),
            (1, Gen.Char['\u00A1', '\uD7FF'].Where(c => char.GetUnicodeCategory(c) is not (UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned
                or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator))
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
            // Searching for the address as it was typed finds exactly that user.
            var found = await app.Client.GetFromJsonAsync<global::UserService.Features.Users.List.Response>($"/api/users?q={Uri.EscapeDataString(email)}");
            Assert.Equal([user.Id], found!.Items.Select(u => u.Id));
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

        TestReport.Line($"{run.Sent} generated requests in {clock.Elapsed.TotalSeconds:F1} s: {run.Summary}; {run.Rejected} rejected, each leaving the database as it was; " +
            $"{run.SignIns} new admin(s) after a success ended the caller's sessions");

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
