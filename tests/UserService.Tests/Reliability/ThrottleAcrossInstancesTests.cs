using System.Globalization;
using System.Net;

namespace UserService.Tests.Reliability;

/// <summary>
/// Three instances of the service on one database, as behind a load balancer: the sign-in limits are the configured
/// ones in total, not once per instance (before the counters moved to PostgreSQL, each process counted alone).
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ThrottleAcrossInstancesTests(App app, ThrottleAcrossInstancesTests.Instances instances)
    : IClassFixture<ThrottleAcrossInstancesTests.Instances>
{
    const int AccountLimit = 4;
    const int AddressLimit = 6;

    /// <summary>The three processes, started together once for this class.</summary>
    public sealed class Instances : IAsyncLifetime
    {
        public IReadOnlyList<ServiceProcess> All { get; private set; } = [];

        public async ValueTask InitializeAsync()
        {
            All = [.. Enumerable.Range(0, 3).Select(_ => ServiceProcess.Start(settings: new Dictionary<string, string>
            {
                ["Throttling__AccountPermitLimit"] = AccountLimit.ToString(CultureInfo.InvariantCulture),
                ["Throttling__AddressPermitLimit"] = AddressLimit.ToString(CultureInfo.InvariantCulture),
            }))];
            await Task.WhenAll(All.Select(s => s.WaitUntilReadyAsync(signIn: false)));
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var service in All)
            {
                await service.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Three_instances_allow_one_account_the_configured_limit_in_total()
    {
        var email = TestUsers.UniqueEmail("shared-account");
        var created = await Throttles.PostAsync(instances.All[0], Throttles.UniqueLoopback(), "/api/users", new { email, password = TestUsers.Password, fullName = "Shared Account" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        // Round robin over the instances, each attempt from an address of its own: only the account's limit can refuse.
        var attempts = new List<HttpResponseMessage>();
        for (var i = 0; i < 3 * AccountLimit; i++)
        {
            attempts.Add(await Throttles.SignInAsync(instances.All[i % 3], Throttles.UniqueLoopback(), email, $"wrong guess number {i}"));
        }

        var right = new List<HttpResponseMessage>();
        foreach (var service in instances.All)
        {
            right.Add(await Throttles.SignInAsync(service, Throttles.UniqueLoopback(), email, TestUsers.Password));
        }

        var statuses = attempts.Select(r => (int)r.StatusCode).ToList();
        TestReport.Line($"account limit {AccountLimit}, 3 instances, {attempts.Count} wrong passwords round robin: {Throttles.Runs(statuses)}; " +
               $"then the right password on each instance: {Throttles.Runs(right.Select(r => (int)r.StatusCode))}");
        Assert.Equal([.. Enumerable.Repeat(401, AccountLimit), .. Enumerable.Repeat(429, 2 * AccountLimit)], statuses);
        foreach (var refused in attempts.Skip(AccountLimit).Concat(right))
        {
            await Throttles.AssertThrottledAsync(refused);
        }

        Assert.Equal(new Throttles.Window(3 * AccountLimit + 3, true), await Throttles.WindowAsync(app.Db, Throttles.Account(email)));
    }

    [Fact]
    public async Task Three_instances_allow_one_client_address_the_configured_limit_in_total_for_sign_in_and_sign_up()
    {
        var address = Throttles.UniqueLoopback();
        var emails = Enumerable.Range(0, AddressLimit + 3).Select(_ => TestUsers.UniqueEmail("shared-address")).ToList();
        var signIns = new List<HttpResponseMessage>();
        for (var i = 0; i < emails.Count; i++)
        {
            signIns.Add(await Throttles.SignInAsync(instances.All[i % 3], address, emails[i], "some password guess"));
        }

        var lateEmail = TestUsers.UniqueEmail("shared-address-late");
        var signUps = new List<HttpResponseMessage>();
        foreach (var service in instances.All)
        {
            signUps.Add(await Throttles.PostAsync(service, address, "/api/users", new { email = lateEmail, password = TestUsers.Password, fullName = "Too Late" }));
        }

        var otherAddress = await Throttles.SignInAsync(instances.All[1], Throttles.UniqueLoopback(), TestUsers.UniqueEmail("shared-address"), "some password guess");

        var statuses = signIns.Select(r => (int)r.StatusCode).ToList();
        TestReport.Line($"address limit {AddressLimit}, 3 instances, {signIns.Count} sign-ins round robin from {address}: {Throttles.Runs(statuses)}; " +
               $"then a sign-up on each instance: {Throttles.Runs(signUps.Select(r => (int)r.StatusCode))}; another address: {(int)otherAddress.StatusCode}");
        Assert.Equal([.. Enumerable.Repeat(401, AddressLimit), 429, 429, 429], statuses);
        foreach (var refused in signIns.Skip(AddressLimit).Concat(signUps))
        {
            await Throttles.AssertThrottledAsync(refused);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, otherAddress.StatusCode);
        Assert.Equal(new Throttles.Window(AddressLimit + 6, true), await Throttles.WindowAsync(app.Db, Throttles.Address(address)));
        // Refused before the endpoint ran: no account window for the refused sign-ins, no user for the refused sign-ups.
        foreach (var (email, i) in emails.Select((e, i) => (e, i)))
        {
            Assert.Equal(i < AddressLimit ? new Throttles.Window(1, true) : null, await Throttles.WindowAsync(app.Db, Throttles.Account(email)));
        }

        Assert.Equal(0, await app.CountByEmailAsync(lateEmail));
    }

    [Fact]
    public async Task An_ended_window_refuses_nothing_and_starts_over()
    {
        var email = TestUsers.UniqueEmail("ended-window");
        await Throttles.SeedAsync(app.Db, Throttles.Account(email), TimeSpan.FromSeconds(-1), hits: 99);

        var rsp = await Throttles.SignInAsync(instances.All[2], Throttles.UniqueLoopback(), email, "some password guess");

        Assert.Equal(HttpStatusCode.Unauthorized, rsp.StatusCode);
        Assert.Equal(new Throttles.Window(1, true), await Throttles.WindowAsync(app.Db, Throttles.Account(email)));
    }
}
