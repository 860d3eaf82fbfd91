using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using UserService.Features.Auth;

namespace UserService.Tests.Reliability;

/// <summary>
/// Rotating the signing key across two real instances restarted one at a time, in the order the README gives: the new
/// key first joins as verify-only, then signs, then the old key leaves. No valid token is refused at any step, and once
/// a key is removed from an instance, that instance refuses its tokens (its token cache starts empty with the process).
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class SigningKeyRotationTests
{
    const string K1 = "rotation-key-one-0123456789-abcdefghijklmnop";
    const string K2 = "rotation-key-two-0123456789-abcdefghijklmnop";

    [Fact]
    public async Task Rolling_a_key_through_two_instances_refuses_no_valid_token_and_accepts_none_of_a_removed_key()
    {
        var a = await StartAsync(("k1", K1));
        var b = await StartAsync(("k1", K1));
        try
        {
            var email = TestUsers.UniqueEmail("rotation");
            Assert.Equal(HttpStatusCode.Created, (await a.Client.PostAsJsonAsync("/api/users", new { email, password = TestUsers.Password, fullName = "Key Rotation" })).StatusCode);
            var old = await Identity.StartSessionAsync(a.Client, email);
            Assert.Equal("k1", new JsonWebToken(old.AccessToken).Kid);
            await AcceptedAsync(old.AccessToken, a, b);

            // 1. k2 joins as verify-only, one instance at a time: k1 still signs everywhere.
            b = await RestartAsync(b, ("k1", K1), ("k2", K2));
            await AcceptedAsync(old.AccessToken, a, b);
            a = await RestartAsync(a, ("k1", K1), ("k2", K2));
            await AcceptedAsync(old.AccessToken, a, b);
            Assert.Equal("k1", new JsonWebToken(await Identity.SignInAsync(a.Client, email)).Kid);

            // 2. k2 signs, one instance at a time: the instance not yet restarted already verifies k2.
            a = await RestartAsync(a, ("k2", K2), ("k1", K1));
            var fresh = await Identity.SignInAsync(a.Client, email);
            Assert.Equal("k2", new JsonWebToken(fresh).Kid);
            await AcceptedAsync(old.AccessToken, a, b);
            await AcceptedAsync(fresh, a, b);
            b = await RestartAsync(b, ("k2", K2), ("k1", K1));
            await AcceptedAsync(old.AccessToken, a, b);
            await AcceptedAsync(fresh, a, b);

            // 3. k1 leaves (in production after the access-token lifetime; here its token is unexpired, to see it refused).
            a = await RestartAsync(a, ("k2", K2));
            await RefusedAsync(old.AccessToken, a);
            await AcceptedAsync(old.AccessToken, b);
            await AcceptedAsync(fresh, a, b);
            b = await RestartAsync(b, ("k2", K2));
            await RefusedAsync(old.AccessToken, a, b);
            await AcceptedAsync(fresh, a, b);

            // Sessions outlive the rotation: the refresh token from before it gets a k2 token that both accept.
            var refreshed = await (await b.Client.RefreshAsync(old.RefreshToken)).ReadTokensAsync();
            Assert.Equal("k2", new JsonWebToken(refreshed.AccessToken).Kid);
            await AcceptedAsync(refreshed.AccessToken, a, b);
            TestReport.Line("k1 → k1+k2 (verify) → k2+k1 → k2, one instance at a time: every valid token accepted throughout; the k1 token refused once k1 was removed; the session refreshed across the rotation");
        }
        finally
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("k1", "short", null, null, "Jwt:SigningKeys:0 (env Jwt__SigningKeys__0__Key) is 5 bytes")]
    [InlineData("k1", K1, "k1", K2, "Jwt:SigningKeys:1:Id \"k1\" is used twice")]
    [InlineData("", K1, null, null, "Jwt:SigningKeys:0:Id is not set")]
    [InlineData("k 1", K1, null, null, "Jwt:SigningKeys:0:Id must be")]
    public async Task Unusable_signing_keys_stop_startup_with_one_line(string id0, string key0, string? id1, string? key1, string reason)
    {
        // The database is unreachable on purpose: the key check must come first and fail fast.
        var settings = Keys((id0, key0));
        if (id1 is not null)
        {
            settings["Jwt__SigningKeys__1__Id"] = id1;
            settings["Jwt__SigningKeys__1__Key"] = key1!;
        }

        settings["ASPNETCORE_ENVIRONMENT"] = "Production";
        await using var service = ServiceProcess.Start($"Host=127.0.0.1;Port={ServiceProcess.FreePort()};Database=users;Username=postgres", settings);

        var exitCode = await service.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var lines = service.Output.Where(l => l.Contains("Jwt:SigningKey", StringComparison.Ordinal)).ToList();
        TestReport.Line($"{reason}: exit code {exitCode}; {string.Join(" | ", lines)}");

        Assert.Equal(1, exitCode);
        Assert.Contains(reason, Assert.Single(lines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Both_the_single_key_and_the_list_set_stop_startup_with_one_line()
    {
        var settings = Keys(("k1", K1));
        settings["Jwt__SigningKey"] = K2;
        settings["ASPNETCORE_ENVIRONMENT"] = "Production";
        await using var service = ServiceProcess.Start($"Host=127.0.0.1;Port={ServiceProcess.FreePort()};Database=users;Username=postgres", settings);

        Assert.Equal(1, await service.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("are both set", Assert.Single(service.Output, l => l.Contains("Jwt:SigningKey", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    static Dictionary<string, string> Keys(params (string Id, string Key)[] keys)
    {
        var settings = new Dictionary<string, string> { ["Jwt__SigningKey"] = "" };
        for (var i = 0; i < keys.Length; i++)
        {
            settings[$"Jwt__SigningKeys__{i}__Id"] = keys[i].Id;
            settings[$"Jwt__SigningKeys__{i}__Key"] = keys[i].Key;
        }

        return settings;
    }

    static async Task<ServiceProcess> StartAsync(params (string Id, string Key)[] keys)
    {
        var service = ServiceProcess.Start(settings: Keys(keys));
        await service.WaitUntilReadyAsync(signIn: false);
        return service;
    }

    static async Task<ServiceProcess> RestartAsync(ServiceProcess service, params (string Id, string Key)[] keys)
    {
        await service.DisposeAsync();
        return await StartAsync(keys);
    }

    static async Task AcceptedAsync(string token, params ServiceProcess[] services)
    {
        foreach (var service in services)
        {
            // Twice: the second answer comes from the instance's cache of validated tokens.
            for (var i = 0; i < 2; i++)
            {
                Assert.Equal(HttpStatusCode.OK, await MeAsync(service, token));
            }
        }
    }

    static async Task RefusedAsync(string token, params ServiceProcess[] services)
    {
        foreach (var service in services)
        {
            for (var i = 0; i < 2; i++)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(service, token));
            }
        }
    }

    static async Task<HttpStatusCode> MeAsync(ServiceProcess service, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/users/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var rsp = await service.Client.SendAsync(request);
        return rsp.StatusCode;
    }
}
