using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Update = UserService.Features.Users.Update;

namespace UserService.Tests.Infrastructure;

/// <summary>OWASP API2 (broken authentication): only an untampered, unexpired, unrevoked token of ours gets in.</summary>
public sealed class AuthenticationTests(App app)
{
    /// <summary>Every route the app maps that does not allow anonymous callers, from the endpoints' own metadata.</summary>
    public static Task<TheoryData<string, string>> ProtectedRoutes() => ApiRoutes.RowsAsync(r => !r.IsAnonymous);

    /// <summary>Every route that names the roles it admits.</summary>
    public static Task<TheoryData<string, string>> RoleRoutes() => ApiRoutes.RowsAsync(r => !r.IsAnonymous && r.Roles.Count > 0);

    [Theory, MemberData(nameof(ProtectedRoutes), DisableDiscoveryEnumeration = true)]
    public async Task Every_protected_route_without_a_token_is_401_with_a_bearer_challenge(string method, string route)
    {
        var (victim, _) = await app.CreateAsync(fullName: "Untouched");
        var request = new HttpRequestMessage(new HttpMethod(method), ApiRoutes.Find(app, method, route).PathWith(victim.Id.ToString()));
        if (method is "POST" or "PUT" or "PATCH")
        {
            request.Content = Json.Of(new { fullName = "Hacked" });
        }

        var rsp = await app.Anonymous.SendAsync(request);

        await rsp.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", rsp.Headers.WwwAuthenticate.Single().Scheme);
        var row = await app.RowAsync(victim.Id);
        Assert.Equal(("Untouched", 1L), (row!.FullName, row.Version));
    }

    [Theory, MemberData(nameof(RoleRoutes), DisableDiscoveryEnumeration = true)]
    public async Task Every_route_for_other_roles_refuses_a_user_without_them_with_403(string method, string route)
    {
        var target = ApiRoutes.Find(app, method, route);
        var (victim, _) = await app.CreateAsync(fullName: "Untouched");
        var (caller, client) = await app.NewUserAsync();
        Assert.DoesNotContain(caller.Role, target.Roles);
        var request = new HttpRequestMessage(new HttpMethod(method), target.PathWith(victim.Id.ToString()));
        if (method is "POST" or "PUT" or "PATCH")
        {
            request.Content = Json.Of(new { fullName = "Hacked" });
        }

        var rsp = await client.SendAsync(request);

        await rsp.AssertProblemAsync(HttpStatusCode.Forbidden);
        var row = await app.RowAsync(victim.Id);
        Assert.Equal(("Untouched", 1L), (row!.FullName, row.Version));
    }

    public enum Forgery { Expired, WrongKey, TamperedRole, AlgNone, WrongIssuer, WrongAudience, NotYetValid, Garbage, UnknownKid, RemovedKey }

    [Theory]
    [InlineData(Forgery.Expired)]
    [InlineData(Forgery.WrongKey)]
    [InlineData(Forgery.TamperedRole)]
    [InlineData(Forgery.AlgNone)]
    [InlineData(Forgery.WrongIssuer)]
    [InlineData(Forgery.WrongAudience)]
    [InlineData(Forgery.NotYetValid)]
    [InlineData(Forgery.Garbage)]
    [InlineData(Forgery.UnknownKid)]
    [InlineData(Forgery.RemovedKey)]
    public async Task Forged_or_expired_tokens_are_401(Forgery forgery)
    {
        var (user, client) = await app.NewUserAsync();
        var stamp = await StampAsync(user.Id);
        var now = DateTime.UtcNow;
        var token = forgery switch
        {
            Forgery.Expired => Sign(user.Id, "user", stamp, Identity.SigningKey, now.AddMinutes(-20), now.AddMinutes(-5)),
            Forgery.WrongKey => Sign(user.Id, "user", stamp, "an-entirely-different-key-of-enough-length!!", now, now.AddMinutes(15)),
            Forgery.TamperedRole => TamperRole(client.DefaultRequestHeaders.Authorization!.Parameter!),
            Forgery.AlgNone => Unsigned(user.Id, stamp, now),
            Forgery.WrongIssuer => Sign(user.Id, "user", stamp, Identity.SigningKey, now, now.AddMinutes(15), issuer: "SomeoneElse"),
            Forgery.WrongAudience => Sign(user.Id, "user", stamp, Identity.SigningKey, now, now.AddMinutes(15), audience: "SomeoneElse"),
            Forgery.NotYetValid => Sign(user.Id, "user", stamp, Identity.SigningKey, now.AddMinutes(10), now.AddMinutes(25)),
            // Signed with the configured key, but naming a key id that is not configured: never tried against the others.
            Forgery.UnknownKid => Sign(user.Id, "user", stamp, Identity.SigningKey, now, now.AddMinutes(15), kid: "retired-2025"),
            // A key this host does not have (e.g. removed after a rotation), under the id the configured key goes by.
            Forgery.RemovedKey => Sign(user.Id, "user", stamp, "a-removed-signing-key-of-enough-length-000", now, now.AddMinutes(15), kid: "default"),
            _ => "not.a.token",
        };

        var rsp = await app.CreateClient().WithToken(token).GetAsync("/api/users/me");

        await rsp.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/users/me")).StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("default")]
    public async Task A_correctly_signed_token_of_ours_is_accepted_with_the_keys_id_or_none(string? kid)
    {
        var (user, _) = await app.NewUserAsync();
        var token = Sign(user.Id, "user", await StampAsync(user.Id), Identity.SigningKey, DateTime.UtcNow, DateTime.UtcNow.AddMinutes(15), kid: kid);

        var rsp = await app.CreateClient().WithToken(token).GetAsync("/api/users/me");

        Assert.Equal(HttpStatusCode.OK, rsp.StatusCode);
    }

    [Fact]
    public async Task Issued_tokens_name_their_key_in_the_kid_header()
    {
        var (user, _) = await app.CreateAsync();

        var token = await Identity.SignInAsync(app.Anonymous, user.Email);

        Assert.Equal("default", new JsonWebToken(token).Kid);
    }

    [Fact]
    public async Task Token_stops_working_when_its_user_is_deleted()
    {
        var (user, client) = await app.NewUserAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await app.Client.DeleteAsync($"/api/users/{user.Id}")).StatusCode);

        await (await client.GetAsync("/api/users/me")).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Admin_token_stops_working_when_the_admin_is_demoted()
    {
        var (admin, adminClient) = await app.NewAdminAsync();
        Assert.Equal(HttpStatusCode.OK, (await adminClient.GetAsync("/api/users?limit=1")).StatusCode);

        var demote = await app.Client.PatchAsync($"/api/users/{admin.Id}", Json.Of(new Update.Patch { Role = "user" }));
        Assert.Equal(HttpStatusCode.OK, demote.StatusCode);

        await (await adminClient.GetAsync("/api/users?limit=1")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await adminClient.GetAsync("/api/users/me")).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Token_stops_working_when_its_user_changes_password_and_the_new_one_signs_in()
    {
        var (user, client) = await app.NewUserAsync();

        var change = await client.PatchAsync($"/api/users/{user.Id}",
            Json.Of(new Update.Patch { Password = "a fresh new passphrase", CurrentPassword = TestUsers.Password }));
        Assert.Equal(HttpStatusCode.OK, change.StatusCode);

        await (await client.GetAsync("/api/users/me")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        var fresh = await Identity.SignInAsync(app.Anonymous, user.Email, "a fresh new passphrase");
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().WithToken(fresh).GetAsync("/api/users/me")).StatusCode);
    }

    [Fact]
    public async Task Changing_only_the_name_keeps_the_token_valid()
    {
        var (user, client) = await app.NewUserAsync();

        Assert.Equal(HttpStatusCode.OK, (await client.PatchAsync($"/api/users/{user.Id}", Json.Of(new Update.Patch { FullName = "Renamed" }))).StatusCode);

        Assert.Equal("Renamed", (await client.GetFromJsonAsync<UserService.Features.Users.UserResponse>("/api/users/me"))!.FullName);
    }

    async Task<Guid> StampAsync(Guid id)
    {
        await using var connection = await app.Db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<Guid>("SELECT security_stamp FROM users WHERE id = @id", new { id });
    }

    static string Sign(Guid id, string role, Guid stamp, string key, DateTime notBefore, DateTime expires, string issuer = "UserService",
        string audience = "UserService", string? kid = null) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = notBefore,
            NotBefore = notBefore,
            Expires = expires,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)) { KeyId = kid }, SecurityAlgorithms.HmacSha256),
            Subject = new ClaimsIdentity([new Claim("sub", id.ToString()), new Claim("role", role), new Claim("sst", stamp.ToString())]),
        });

    static string Unsigned(Guid id, Guid stamp, DateTime now)
    {
        var header = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");
        var payload = Base64UrlEncoder.Encode(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["sub"] = id.ToString(), ["role"] = "admin", ["sst"] = stamp.ToString(), ["iss"] = "UserService", ["aud"] = "UserService",
            ["nbf"] = new DateTimeOffset(now).ToUnixTimeSeconds(), ["exp"] = new DateTimeOffset(now.AddMinutes(15)).ToUnixTimeSeconds(),
        }));
        return $"{header}.{payload}.";
    }

    static string TamperRole(string token)
    {
        var parts = token.Split('.');
        var payload = Base64UrlEncoder.Decode(parts[1]).Replace("\"role\":\"user\"", "\"role\":\"admin\"", StringComparison.Ordinal);
        Assert.Contains("\"role\":\"admin\"", payload, StringComparison.Ordinal);
        return $"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}";
    }
}
