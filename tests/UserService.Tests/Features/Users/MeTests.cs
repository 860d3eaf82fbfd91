using System.Net;
using UserService.Features.Users;
using UserService.Features.Users.Me;

namespace UserService.Tests.Features.Users;

public sealed class MeTests(App app)
{
    [Fact]
    public async Task Signed_in_user_gets_their_own_record_with_etag()
    {
        var (user, client) = await app.NewUserAsync("Me Myself");

        var (rsp, me) = await client.GETAsync<Endpoint, UserResponse>();

        Assert.Equal(HttpStatusCode.OK, rsp.StatusCode);
        Assert.Equal(user, me);
        Assert.Equal("\"1\"", rsp.Headers.ETag?.Tag);
    }

    [Fact]
    public async Task Without_a_token_it_is_401_with_a_bearer_challenge()
    {
        var rsp = await app.Anonymous.GetAsync("/api/users/me");

        await rsp.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", rsp.Headers.WwwAuthenticate.Single().Scheme);
    }
}
