using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Dapper;
using Npgsql;
using UserService.Features.Users;

namespace UserService.Tests.Reliability;

/// <summary>
/// Revocation without a statement per request: each instance caches security stamps and a PostgreSQL LISTEN keeps
/// them current. Real processes on a throwaway cluster: two instances, a killed listener, a restarted server.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed partial class RevocationTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>
{
    internal static readonly TimeSpan PropagationBudget = TimeSpan.FromSeconds(1);

    public enum Revocation { PasswordChange, Delete, Demotion }

    [Theory]
    [InlineData(Revocation.PasswordChange)]
    [InlineData(Revocation.Delete)]
    [InlineData(Revocation.Demotion)]
    public async Task A_token_revoked_through_one_instance_is_refused_by_the_other_within_a_second(Revocation revocation)
    {
        await using var a = await StartAsync();
        await using var b = await StartAsync();
        var (id, email) = await SignUpAsync(a);
        if (revocation == Revocation.Demotion)
        {
            await using var db = cluster.CreateDataSource();
            await Identity.PromoteAsync(db, id);
        }

        var token = await Identity.SignInAsync(a.Client, email);

        // B serves the token from its cache: after the first check, no more stamp lookups.
        Assert.Equal(HttpStatusCode.OK, await MeAsync(b, token));
        var lookups = await LookupsAsync(b);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await MeAsync(b, token));
        }

        Assert.Equal(lookups, await LookupsAsync(b));

        var revoked = revocation switch
        {
            Revocation.PasswordChange => await a.Client.SendAsync(WithToken(new(HttpMethod.Patch, $"/api/users/{id}")
            {
                Content = JsonContent.Create(new { password = "a brand new passphrase", currentPassword = TestUsers.Password }),
            }, token)),
            Revocation.Delete => await a.Client.DeleteAsync($"/api/users/{id}"),
            _ => await a.Client.PatchAsJsonAsync($"/api/users/{id}", new { role = "user" }),
        };
        Assert.True(revoked.IsSuccessStatusCode, $"{revocation} through A gave {(int)revoked.StatusCode}");
        var clock = Stopwatch.StartNew();

        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(a, token));
        var status = await MeAsync(b, token);
        while (status != HttpStatusCode.Unauthorized && clock.Elapsed < PropagationBudget)
        {
            Assert.Equal(HttpStatusCode.OK, status);
            await Task.Delay(10);
            status = await MeAsync(b, token);
        }

        Assert.True(status == HttpStatusCode.Unauthorized, $"B still accepted the revoked token {clock.ElapsedMilliseconds} ms after {revocation}");
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(b, token));
        }
    }

    [Fact]
    public async Task A_revocation_while_the_listener_is_down_is_refused_at_once()
    {
        await using var service = await StartAsync();
        await using var db = cluster.CreateDataSource();
        for (var round = 0; round < 3; round++)
        {
            var (id, email) = await SignUpAsync(service);
            var token = await Identity.SignInAsync(service.Client, email);
            Assert.Equal(HttpStatusCode.OK, await MeAsync(service, token));
            Assert.Equal(HttpStatusCode.OK, await MeAsync(service, token));

            // Kill the listener's backend; once the service has seen it go, revoke before the listener is back (it
            // retries after 100 ms): the notification reaches nobody, so only dropping the whole cache keeps the
            // promise. (Between the backend's exit and the service seeing it, the cache is as fresh as notification
            // latency allows: the same milliseconds a revocation takes to reach any other instance.)
            await using var connection = await db.OpenConnectionAsync();
            Assert.True(await connection.QuerySingleAsync<bool>(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = @name",
                new { name = service.ApplicationName + "/listener" }));
            await WaitForOutputAsync(service, "Security-stamp listener lost its connection", occurrences: round + 1);
            await connection.ExecuteAsync("UPDATE users SET security_stamp = gen_random_uuid() WHERE id = @id", new { id });

            var first = await MeAsync(service, token);
            Assert.True(first == HttpStatusCode.Unauthorized, $"round {round}: {first}\n{string.Join('\n', service.Output.TakeLast(15))}");
            await WaitForOutputAsync(service, "Security-stamp listener connected", occurrences: round + 2);
            Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(service, token));
        }
    }

    [Fact]
    public async Task A_revocation_right_after_a_postgres_restart_is_refused()
    {
        await using var service = await StartAsync();
        var (id, email) = await SignUpAsync(service);
        var token = await Identity.SignInAsync(service.Client, email);
        Assert.Equal(HttpStatusCode.OK, await MeAsync(service, token));

        await cluster.StopAsync();
        await WaitForOutputAsync(service, "Security-stamp listener lost its connection");
        Assert.NotEqual(HttpStatusCode.OK, await MeAsync(service, token));
        await cluster.StartAsync();
        await using (var db = cluster.CreateDataSource())
        {
            await db.CreateCommand($"UPDATE users SET security_stamp = gen_random_uuid() WHERE id = '{id}'").ExecuteNonQueryAsync();
        }

        // The pool may still hold connections broken by the restart (503 until they are cleared); the stale token
        // must never get a 200 meanwhile, and must end up refused.
        var clock = Stopwatch.StartNew();
        var status = await MeAsync(service, token);
        while (status == HttpStatusCode.ServiceUnavailable && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(100);
            status = await MeAsync(service, token);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        await WaitForOutputAsync(service, "Security-stamp listener connected", occurrences: 2);
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(service, token));
    }

    async Task<ServiceProcess> StartAsync()
    {
        var service = ServiceProcess.Start(cluster.ConnectionString);
        await service.WaitUntilReadyAsync();
        await WaitForOutputAsync(service, "Security-stamp listener connected");
        return service;
    }

    internal static async Task<(Guid Id, string Email)> SignUpAsync(ServiceProcess service)
    {
        var email = TestUsers.UniqueEmail("revoke");
        var rsp = await service.Client.PostAsJsonAsync("/api/users", new { email, password = TestUsers.Password, fullName = "Revoked Soon" });
        Assert.Equal(HttpStatusCode.Created, rsp.StatusCode);
        return ((await rsp.Content.ReadFromJsonAsync<UserResponse>())!.Id, email);
    }

    internal static HttpRequestMessage WithToken(HttpRequestMessage request, string token)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    internal static async Task<HttpStatusCode> MeAsync(ServiceProcess service, string token)
    {
        using var rsp = await service.Client.SendAsync(WithToken(new(HttpMethod.Get, "/api/users/me"), token));
        return rsp.StatusCode;
    }

    internal static async Task<long> LookupsAsync(ServiceProcess service)
    {
        var metrics = await service.Client.GetStringAsync("/metrics");
        var match = LookupsMetric().Match(metrics);
        Assert.True(match.Success, "no userservice_security_stamp_lookups in /metrics");
        return long.Parse(match.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    static Task WaitForOutputAsync(ServiceProcess service, string fragment, int occurrences = 1) =>
        service.WaitForOutputAsync(fragment, TimeSpan.FromSeconds(30), occurrences);

    [GeneratedRegex(@"^userservice_security_stamp_lookups(?:_total)?(?:\{[^}]*\})? (?<value>\d+)", RegexOptions.Multiline)]
    private static partial Regex LookupsMetric();
}
