using System.Net;
using UserService.Features.Sessions.List;
using Update = UserService.Features.Users.Update;

namespace UserService.Tests.Features.Sessions;

public sealed class ListTests(App app)
{
    [Fact]
    public async Task The_caller_sees_their_live_sessions_with_the_current_one_marked()
    {
        var (user, _) = await app.CreateAsync();
        var first = await Identity.StartSessionAsync(app.Anonymous, user.Email);
        var second = await Identity.StartSessionAsync(app.Anonymous, user.Email);
        var ended = await Identity.StartSessionAsync(app.Anonymous, user.Email);
        await app.Anonymous.LogoutAsync(ended.RefreshToken);
        var (other, _) = await app.CreateAsync();
        await Identity.StartSessionAsync(app.Anonymous, other.Email);
        var refreshed = await (await app.Anonymous.RefreshAsync(second.RefreshToken)).ReadTokensAsync();

        var (rsp, list) = await app.CreateClient().WithToken(refreshed.AccessToken).GETAsync<Endpoint, Response>();

        Assert.Equal(HttpStatusCode.OK, rsp.StatusCode);
        Assert.Equal("no-store", rsp.Headers.CacheControl?.ToString());
        var rows = await app.SessionsAsync(user.Id);
        Assert.Equal(rows.Select(r => r.Id), list.Items.Select(s => s.Id));
        Assert.Equal([false, true], list.Items.Select(s => s.Current));
        foreach (var (item, row) in list.Items.Zip(rows))
        {
            Assert.Equal(row.CreatedAt, item.CreatedAt, TimeSpan.FromMilliseconds(1));
            Assert.Equal(row.LastUsedAt, item.LastUsedAt, TimeSpan.FromMilliseconds(1));
            Assert.Equal(item.LastUsedAt + TimeSpan.FromDays(14), item.ExpiresAt, TimeSpan.FromMilliseconds(1));
        }

        Assert.True(list.Items[1].LastUsedAt > list.Items[1].CreatedAt);

        // With the first session's token, the first one is current.
        var (_, again) = await app.CreateClient().WithToken(first.AccessToken).GETAsync<Endpoint, Response>();
        Assert.Equal([true, false], again.Items.Select(s => s.Current));
    }

    [Fact]
    public async Task Sessions_ended_by_a_password_change_are_not_listed()
    {
        var (user, client) = await app.NewUserAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.PatchAsync($"/api/users/{user.Id}",
            Json.Of(new Update.Patch { Password = "a fresh new passphrase", CurrentPassword = TestUsers.Password }))).StatusCode);
        var fresh = await Identity.StartSessionAsync(app.Anonymous, user.Email, "a fresh new passphrase");

        var (_, list) = await app.CreateClient().WithToken(fresh.AccessToken).GETAsync<Endpoint, Response>();

        Assert.True(Assert.Single(list.Items).Current);
    }

    [Fact]
    public async Task Without_a_token_the_list_is_401()
    {
        var rsp = await app.Anonymous.GetAsync("/api/users/me/sessions");

        await rsp.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }
}
