using System.Net.Http.Json;
using System.Net;
using System.Net.Http.Headers;
using UserService.Features.Users;
using UserService.Features.Users.Update;
using Update = UserService.Features.Users.Update;

namespace UserService.Tests.Features.Users;

/// <summary>PATCH of a password: hashed, verified against the current one, throttled like sign-in.</summary>
public sealed partial class UpdateTests
{
    [Fact]
    public async Task New_password_is_hashed_and_verifies()
    {
        var (user, _) = await app.CreateAsync();
        var before = (await app.RowAsync(user.Id))!.PasswordHash;

        var rsp = await PatchAsync(user.Id, """{"password":"a brand new passphrase"}""");

        Assert.Equal(HttpStatusCode.OK, rsp.StatusCode);
        Assert.DoesNotContain("passphrase", await rsp.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var after = (await app.RowAsync(user.Id))!.PasswordHash;
        Assert.NotEqual(before, after);
        Assert.Matches(TestUsers.Argon2idHash(), after);
        await Identity.SignInAsync(app.Anonymous, user.Email, "a brand new passphrase");
    }

    [Theory]
    [InlineData("""{"password":"a brand new passphrase"}""")]
    [InlineData("""{"password":"a brand new passphrase","currentPassword":"this is not it at all"}""")]
    [InlineData("""{"password":"a brand new passphrase","currentPassword":""}""")]
    public async Task Own_password_change_without_the_right_current_password_is_400_naming_it(string json)
    {
        var (me, client) = await app.NewUserAsync();
        var before = (await app.RowAsync(me.Id))!.PasswordHash;

        var rsp = await client.PatchAsync($"/api/users/{me.Id}", Json.Body(json));

        await rsp.AssertProblemAsync(HttpStatusCode.BadRequest, "currentPassword");
        Assert.Equal(before, (await app.RowAsync(me.Id))!.PasswordHash);
    }

    [Fact]
    public async Task Guessing_the_current_password_is_throttled_per_account_like_sign_in()
    {
        // Signing in spent one of the account's five attempts; every wrong currentPassword spends another.
        var (me, client) = await app.NewUserAsync();
        var before = await app.RowAsync(me.Id);

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage last = null!;
        for (var i = 0; i < 5; i++)
        {
            last = await client.PatchAsync($"/api/users/{me.Id}", Json.Of(new Update.Patch { Password = "a brand new passphrase", CurrentPassword = $"wrong guess {i}" }));
            statuses.Add(last.StatusCode);
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.BadRequest, 4), HttpStatusCode.TooManyRequests], statuses);
        await last.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.InRange(last.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);

        // The right current password waits too, and so does signing in: one bucket per account.
        var right = await client.PatchAsync($"/api/users/{me.Id}", Json.Of(new Update.Patch { Password = "a brand new passphrase", CurrentPassword = TestUsers.Password }));
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        var signIn = await app.Anonymous.PostAsJsonAsync("/api/auth/token", new { email = me.Email, password = TestUsers.Password });
        Assert.Equal(HttpStatusCode.TooManyRequests, signIn.StatusCode);
        Assert.Equal(before, await app.RowAsync(me.Id));
    }

    [Fact]
    public async Task Admin_sets_someone_elses_password_without_current_password()
    {
        var (user, _) = await app.CreateAsync();

        var rsp = await app.Client.PatchAsync($"/api/users/{user.Id}", Json.Of(new Update.Patch { Password = "set by the admin 123" }));

        Assert.Equal(HttpStatusCode.OK, rsp.StatusCode);
        await Identity.SignInAsync(app.Anonymous, user.Email, "set by the admin 123");
    }
}
