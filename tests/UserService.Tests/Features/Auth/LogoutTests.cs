using System.Net;
using UserService.Features.Auth.Logout;

namespace UserService.Tests.Features.Auth;

public sealed class LogoutTests(App app)
{
    [Fact]
    public async Task Logout_ends_that_session_only_and_answers_204()
    {
        var (user, _) = await app.CreateAsync();
        var phone = await Identity.StartSessionAsync(app.Anonymous, user.Email);
        var laptop = await Identity.StartSessionAsync(app.Anonymous, user.Email);

        var rsp = await app.Anonymous.POSTAsync<Endpoint, Request>(new() { RefreshToken = phone.RefreshToken });

        Assert.Equal(HttpStatusCode.NoContent, rsp.StatusCode);
        await (await app.Anonymous.RefreshAsync(phone.RefreshToken)).AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Single(await app.SessionsAsync(user.Id));
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous.RefreshAsync(laptop.RefreshToken)).StatusCode);
    }

    [Fact]
    public async Task Logout_with_an_unknown_malformed_or_already_ended_token_is_still_204()
    {
        var (user, _) = await app.CreateAsync();
        var tokens = await Identity.StartSessionAsync(app.Anonymous, user.Email);
        Assert.Equal(HttpStatusCode.NoContent, (await app.Anonymous.LogoutAsync(tokens.RefreshToken)).StatusCode);

        foreach (var token in new[] { tokens.RefreshToken, "never issued", "" })
        {
            Assert.Equal(HttpStatusCode.NoContent, (await app.Anonymous.LogoutAsync(token)).StatusCode);
        }
    }

    [Fact]
    public async Task Logout_with_a_spent_token_ends_the_session_too()
    {
        var (user, _) = await app.CreateAsync();
        var first = await Identity.StartSessionAsync(app.Anonymous, user.Email);
        var second = await (await app.Anonymous.RefreshAsync(first.RefreshToken)).ReadTokensAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await app.Anonymous.LogoutAsync(first.RefreshToken)).StatusCode);

        Assert.Empty(await app.SessionsAsync(user.Id));
        await (await app.Anonymous.RefreshAsync(second.RefreshToken)).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Logout_without_a_refresh_token_is_a_400_and_ends_nothing()
    {
        var (user, _) = await app.CreateAsync();
        await Identity.StartSessionAsync(app.Anonymous, user.Email);

        await (await app.Anonymous.PostAsync("/api/auth/logout", Json.Body("{}"))).AssertProblemAsync(HttpStatusCode.BadRequest, "refreshToken");

        Assert.Single(await app.SessionsAsync(user.Id));
    }

    [Fact]
    public async Task Logout_all_ends_every_session_and_refuses_every_access_token_at_once()
    {
        var (user, _) = await app.CreateAsync();
        var sessions = new List<UserService.Features.Auth.TokenResponse>();
        for (var i = 0; i < 3; i++)
        {
            sessions.Add(await Identity.StartSessionAsync(app.Anonymous, user.Email));
        }

        var caller = app.CreateClient().WithToken(sessions[0].AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().WithToken(sessions[2].AccessToken).GetAsync("/api/users/me")).StatusCode);

        var rsp = await caller.PostAsync("/api/auth/logout-all", null);

        Assert.Equal(HttpStatusCode.NoContent, rsp.StatusCode);
        Assert.Empty(await app.SessionsAsync(user.Id));
        foreach (var session in sessions)
        {
            await (await app.CreateClient().WithToken(session.AccessToken).GetAsync("/api/users/me")).AssertProblemAsync(HttpStatusCode.Unauthorized);
            await (await app.Anonymous.RefreshAsync(session.RefreshToken)).AssertProblemAsync(HttpStatusCode.Unauthorized);
        }

        // Signing in again works, and the new session is the only one.
        await Identity.StartSessionAsync(app.Anonymous, user.Email);
        Assert.Single(await app.SessionsAsync(user.Id));
    }

    [Fact]
    public async Task Logout_all_without_a_token_is_401_and_ends_nothing()
    {
        var (user, _) = await app.CreateAsync();
        await Identity.StartSessionAsync(app.Anonymous, user.Email);

        await (await app.Anonymous.PostAsync("/api/auth/logout-all", null)).AssertProblemAsync(HttpStatusCode.Unauthorized);

        Assert.Single(await app.SessionsAsync(user.Id));
    }
}
