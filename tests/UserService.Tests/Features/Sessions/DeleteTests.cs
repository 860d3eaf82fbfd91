using System.Net;

namespace UserService.Tests.Features.Sessions;

public sealed class DeleteTests(App app)
{
    [Fact]
    public async Task Ending_one_of_ones_own_sessions_is_204_and_its_refresh_token_stops_working()
    {
        var (user, _) = await app.CreateAsync();
        var phone = await Identity.StartSessionAsync(app.Anonymous, user.Email);
        var laptop = await Identity.StartSessionAsync(app.Anonymous, user.Email);
        var phoneId = (await app.SessionsAsync(user.Id))[0].Id;

        var rsp = await app.CreateClient().WithToken(laptop.AccessToken).DeleteAsync($"/api/users/me/sessions/{phoneId}");

        Assert.Equal(HttpStatusCode.NoContent, rsp.StatusCode);
        await (await app.Anonymous.RefreshAsync(phone.RefreshToken)).AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.NotEqual(phoneId, Assert.Single(await app.SessionsAsync(user.Id)).Id);
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous.RefreshAsync(laptop.RefreshToken)).StatusCode);
    }

    [Fact]
    public async Task Someone_elses_session_id_is_404_and_their_session_goes_on()
    {
        var (victim, _) = await app.CreateAsync();
        var victimSession = await Identity.StartSessionAsync(app.Anonymous, victim.Email);
        var victimSessionId = Assert.Single(await app.SessionsAsync(victim.Id)).Id;
        var (_, attacker) = await app.NewUserAsync();

        var rsp = await attacker.DeleteAsync($"/api/users/me/sessions/{victimSessionId}");
        var unknown = await attacker.DeleteAsync($"/api/users/me/sessions/{Guid.CreateVersion7()}");

        var problem = await rsp.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(SessionRows.Comparable(problem).Replace(victimSessionId.ToString(), "", StringComparison.Ordinal),
            SessionRows.Comparable(await unknown.AssertProblemAsync(HttpStatusCode.NotFound)).Replace(unknown.RequestMessage!.RequestUri!.Segments[^1], "", StringComparison.Ordinal));
        Assert.Single(await app.SessionsAsync(victim.Id));
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous.RefreshAsync(victimSession.RefreshToken)).StatusCode);
    }

    [Fact]
    public async Task Even_an_admin_ends_only_their_own_sessions_here()
    {
        var (victim, _) = await app.CreateAsync();
        await Identity.StartSessionAsync(app.Anonymous, victim.Email);
        var victimSessionId = Assert.Single(await app.SessionsAsync(victim.Id)).Id;

        await (await app.Client.DeleteAsync($"/api/users/me/sessions/{victimSessionId}")).AssertProblemAsync(HttpStatusCode.NotFound);

        Assert.Single(await app.SessionsAsync(victim.Id));
    }

    [Fact]
    public async Task An_id_that_is_not_a_uuid_is_404()
    {
        var (_, client) = await app.NewUserAsync();

        await (await client.DeleteAsync("/api/users/me/sessions/not-a-uuid")).AssertProblemAsync(HttpStatusCode.NotFound);
    }
}
