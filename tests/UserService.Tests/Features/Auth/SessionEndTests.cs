using System.Net;
using Update = UserService.Features.Users.Update;

namespace UserService.Tests.Features.Auth;

/// <summary>
/// A password change, a role change either way or deleting the user ends all of that user's sessions at once: their
/// refresh tokens and the access tokens already issued.
/// </summary>
public sealed class SessionEndTests(App app)
{
    public enum Trigger { PasswordChangeBySelf, PasswordSetByAdmin, Promotion, Demotion, DeletionBySelf, DeletionByAdmin }

    [Theory]
    [InlineData(Trigger.PasswordChangeBySelf)]
    [InlineData(Trigger.PasswordSetByAdmin)]
    [InlineData(Trigger.Promotion)]
    [InlineData(Trigger.Demotion)]
    [InlineData(Trigger.DeletionBySelf)]
    [InlineData(Trigger.DeletionByAdmin)]
    public async Task Every_session_of_the_user_ends_and_nobody_elses(Trigger trigger)
    {
        var (user, _) = await app.CreateAsync();
        if (trigger == Trigger.Demotion)
        {
            await Identity.PromoteAsync(app.Db, user.Id);
        }

        var sessions = new[] { await Identity.StartSessionAsync(app.Anonymous, user.Email), await Identity.StartSessionAsync(app.Anonymous, user.Email) };
        var (bystander, _) = await app.CreateAsync();
        var bystanderSession = await Identity.StartSessionAsync(app.Anonymous, bystander.Email);
        var self = app.CreateClient().WithToken(sessions[0].AccessToken);

        var rsp = trigger switch
        {
            Trigger.PasswordChangeBySelf => await self.PatchAsync($"/api/users/{user.Id}",
                Json.Of(new Update.Patch { Password = "a fresh new passphrase", CurrentPassword = TestUsers.Password })),
            Trigger.PasswordSetByAdmin => await app.Client.PatchAsync($"/api/users/{user.Id}", Json.Of(new Update.Patch { Password = "set by the admin now" })),
            Trigger.Promotion => await app.Client.PatchAsync($"/api/users/{user.Id}", Json.Of(new Update.Patch { Role = "admin" })),
            Trigger.Demotion => await app.Client.PatchAsync($"/api/users/{user.Id}", Json.Of(new Update.Patch { Role = "user" })),
            Trigger.DeletionBySelf => await self.DeleteAsync($"/api/users/{user.Id}"),
            _ => await app.Client.DeleteAsync($"/api/users/{user.Id}"),
        };
        Assert.True(rsp.IsSuccessStatusCode, $"{trigger}: {(int)rsp.StatusCode} {await rsp.Content.ReadAsStringAsync()}");

        foreach (var session in sessions)
        {
            await (await app.CreateClient().WithToken(session.AccessToken).GetAsync("/api/users/me")).AssertProblemAsync(HttpStatusCode.Unauthorized);
            await (await app.Anonymous.RefreshAsync(session.RefreshToken)).AssertProblemAsync(HttpStatusCode.Unauthorized);
        }

        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().WithToken(bystanderSession.AccessToken).GetAsync("/api/users/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous.RefreshAsync(bystanderSession.RefreshToken)).StatusCode);
        // The refused refreshes took the dead sessions away (deletion: the cascade already had).
        Assert.Empty(await app.SessionsAsync(user.Id));
    }

    [Fact]
    public async Task Renaming_the_user_keeps_the_sessions()
    {
        var (user, client) = await app.NewUserAsync();
        var session = await Identity.StartSessionAsync(app.Anonymous, user.Email);

        Assert.Equal(HttpStatusCode.OK, (await client.PatchAsync($"/api/users/{user.Id}", Json.Of(new Update.Patch { FullName = "Renamed" }))).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().WithToken(session.AccessToken).GetAsync("/api/users/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous.RefreshAsync(session.RefreshToken)).StatusCode);
    }
}
