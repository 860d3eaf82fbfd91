using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using Dapper;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace UserService.Tests.Features.Auth;

/// <summary>
/// The database is the authority for every role claim: a token signed with the right key, with the right stamp, but
/// naming more roles than the user holds (an array) gets nowhere, even where a single true role would pass.
/// </summary>
public sealed class RoleClaimTests(App app)
{
    [Theory]
    [InlineData("/api/users/me")]
    [InlineData("/api/users?limit=1")]
    public async Task A_role_claim_given_as_an_array_is_401(string path)
    {
        var (user, _) = await app.NewUserAsync();
        await using var connection = await app.Db.OpenConnectionAsync();
        var stamp = await connection.ExecuteScalarAsync<Guid>("SELECT security_stamp FROM users WHERE id = @id", new { id = user.Id });

        var honest = Sign(user.Id, stamp, DateTime.UtcNow.AddMinutes(15), "user");
        var inflated = Sign(user.Id, stamp, DateTime.UtcNow.AddMinutes(15), "user", "admin");

        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/api/users/me", honest)).StatusCode);
        using var rsp = await GetAsync(path, inflated);
        await rsp.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_token_accepted_before_stops_working_when_it_expires()
    {
        // Validated tokens are remembered by their text; their lifetime must still be checked on every request.
        var (user, _) = await app.NewUserAsync();
        await using var connection = await app.Db.OpenConnectionAsync();
        var stamp = await connection.ExecuteScalarAsync<Guid>("SELECT security_stamp FROM users WHERE id = @id", new { id = user.Id });
        var expires = DateTime.UtcNow.AddSeconds(2);
        var token = Sign(user.Id, stamp, expires, "user");

        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/api/users/me", token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/api/users/me", token)).StatusCode);

        // The service allows 30 s of clock skew past the expiry.
        await Task.Delay(expires.AddSeconds(31) - DateTime.UtcNow, TestContext.Current.CancellationToken);
        using var rsp = await GetAsync("/api/users/me", token);
        await rsp.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    async Task<HttpResponseMessage> GetAsync(string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await app.Anonymous.SendAsync(request);
    }

    static string Sign(Guid id, Guid stamp, DateTime expires, params string[] roles)
    {
        var now = DateTime.UtcNow.AddSeconds(-1);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "UserService",
            Audience = "UserService",
            IssuedAt = now,
            NotBefore = now,
            Expires = expires,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Identity.SigningKey)), SecurityAlgorithms.HmacSha256),
            Subject = new ClaimsIdentity([new Claim("sub", id.ToString()), new Claim("sst", stamp.ToString()), .. roles.Select(r => new Claim("role", r))]),
        });
    }
}
