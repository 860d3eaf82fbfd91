using System.Net.Http.Json;
using System.Net;
using System.Net.Http.Headers;
using UserService.Features.Users;
using UserService.Features.Users.Update;
using Update = UserService.Features.Users.Update;

namespace UserService.Tests.Features.Users;

public sealed partial class UpdateTests(App app)
{
    Task<HttpResponseMessage> PatchAsync(Guid id, string json, string? ifMatch = null, string mediaType = "application/merge-patch+json")
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/users/{id}") { Content = Json.Body(json, mediaType) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return app.Client.SendAsync(request);
    }

    [Fact]
    public async Task Merge_patch_changes_only_the_given_fields_and_returns_a_new_etag()
    {
        var (user, etag) = await app.CreateAsync(fullName: "Ada Lovelace");

        var (rsp, updated) = await app.Client.PATCHAsync<Endpoint, Request, UserResponse>(
            new() { Id = user.Id, IfMatch = etag, Body = new() { FullName = "  Ada King  " } });

        Assert.True(rsp.IsSuccessStatusCode, await rsp.Content.ReadAsStringAsync());
        Assert.Equal("\"2\"", rsp.Headers.ETag?.Tag);
        Assert.Equal("Ada King", updated.FullName);
        Assert.Equal(user.Email, updated.Email);
        Assert.Equal(user.CreatedAt, updated.CreatedAt);
        Assert.True(updated.UpdatedAt > user.UpdatedAt);

        var row = await app.RowAsync(user.Id);
        Assert.Equal(("Ada King", user.Email, 2L), (row!.FullName, row.Email, row.Version));
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/merge-patch+json")]
    public async Task Both_json_media_types_are_accepted(string mediaType)
    {
        var (user, _) = await app.CreateAsync();
        var email = TestUsers.UniqueEmail("renamed");

        var rsp = await PatchAsync(user.Id, $$"""{"email":"{{email}}"}""", mediaType: mediaType);

        Assert.Equal(HttpStatusCode.OK, rsp.StatusCode);
        Assert.Equal(email, (await app.RowAsync(user.Id))!.Email);
    }

    [Theory]
    [InlineData("*")]
    [InlineData("\"999\", \"1\"")]
    public async Task If_match_star_or_a_list_containing_the_current_etag_succeeds(string ifMatch)
    {
        var (user, _) = await app.CreateAsync();

        var rsp = await PatchAsync(user.Id, """{"fullName":"Matched"}""", ifMatch);

        Assert.Equal(HttpStatusCode.OK, rsp.StatusCode);
    }

    [Theory]
    [InlineData("\"999\"")]
    [InlineData("W/\"1\"")]
    [InlineData("garbage")]
    public async Task Stale_weak_or_malformed_if_match_returns_412_and_changes_nothing(string ifMatch)
    {
        var (user, _) = await app.CreateAsync(fullName: "Unchanged");

        var rsp = await PatchAsync(user.Id, """{"fullName":"Changed"}""", ifMatch);

        await rsp.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        var row = await app.RowAsync(user.Id);
        Assert.Equal(("Unchanged", 1L), (row!.FullName, row.Version));
    }

    [Fact]
    public async Task Email_taken_by_another_user_returns_409_and_changes_nothing()
    {
        var (first, _) = await app.CreateAsync();
        var (second, _) = await app.CreateAsync();

        var rsp = await PatchAsync(second.Id, $$"""{"email":"{{first.Email.ToUpperInvariant()}}"}""");

        await rsp.AssertProblemAsync(HttpStatusCode.Conflict, "email");
        Assert.Equal(second.Email, (await app.RowAsync(second.Id))!.Email);
    }

    [Theory]
    [InlineData("""{"email":null}""", "email")]
    [InlineData("""{"fullName":null}""", "fullName")]
    [InlineData("""{"password":null}""", "password")]
    [InlineData("""{"password":"short"}""", "password")]
    [InlineData("""{"email":"nope"}""", "email")]
    [InlineData("""{"fullName":""}""", "fullName")]
    [InlineData("""{"id":"01939c5e-0000-7000-8000-000000000000"}""", "id")]
    [InlineData("""{"role":"superuser"}""", "role")]
    [InlineData("""{"role":null}""", "role")]
    [InlineData("""{"version":5}""", "version")]
    [InlineData("""null""", "body")]
    public async Task Invalid_patch_returns_400_naming_the_field_and_changes_nothing(string json, string field)
    {
        var (user, _) = await app.CreateAsync(fullName: "Unchanged");

        var rsp = await PatchAsync(user.Id, json);

        await rsp.AssertProblemAsync(HttpStatusCode.BadRequest, field);
        var row = await app.RowAsync(user.Id);
        Assert.Equal(("Unchanged", "user", 1L), (row!.FullName, row.Role, row.Version));
    }

    [Fact]
    public async Task Non_json_body_returns_415()
    {
        var (user, _) = await app.CreateAsync();

        var rsp = await PatchAsync(user.Id, """{"fullName":"Changed"}""", mediaType: "text/plain");

        await rsp.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(1L, (await app.RowAsync(user.Id))!.Version);
    }

    [Fact]
    public async Task Missing_user_returns_404()
    {
        var rsp = await PatchAsync(Guid.CreateVersion7(), """{"fullName":"Ghost"}""");

        await rsp.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Id_that_is_not_a_uuid_returns_404()
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, "/api/users/not-a-uuid") { Content = Json.Of(new Update.Patch { FullName = "X" }) };

        var rsp = await app.Client.SendAsync(request);

        await rsp.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Racing_patches_with_the_same_if_match_give_one_200_and_the_rest_412()
    {
        var (user, etag) = await app.CreateAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => PatchAsync(user.Id, $$"""{"fullName":"Racer {{i}}"}""", etag)));

        var statuses = responses.Select(r => r.StatusCode).ToList();
        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(9, statuses.Count(s => s == HttpStatusCode.PreconditionFailed));
        var winner = await responses.Single(r => r.IsSuccessStatusCode).Content.ReadFromJsonAsync<UserResponse>();
        var row = await app.RowAsync(user.Id);
        Assert.Equal((winner!.FullName, 2L), (row!.FullName, row.Version));
    }

    [Fact]
    public async Task Ten_users_racing_to_one_free_email_give_one_200_and_nine_409_and_one_row_holds_it()
    {
        var email = TestUsers.UniqueEmail("race");
        var users = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => app.CreateAsync()));

        var responses = await Task.WhenAll(users.Select((u, i) =>
            PatchAsync(u.User.Id, $$"""{"email":"{{(i % 2 == 0 ? email : email.ToUpperInvariant())}}"}""")));

        var statuses = responses.Select(r => r.StatusCode).ToList();
        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.OK));
        foreach (var loser in responses.Where(r => !r.IsSuccessStatusCode))
        {
            await loser.AssertProblemAsync(HttpStatusCode.Conflict, "email");
        }

        var winner = users[statuses.IndexOf(HttpStatusCode.OK)].User;
        Assert.Equal(1, await app.CountByEmailAsync(email));
        Assert.Equal(email, (await app.RowAsync(winner.Id))!.Email);
        foreach (var (user, _) in users.Where(u => u.User.Id != winner.Id))
        {
            var row = await app.RowAsync(user.Id);
            Assert.Equal((user.Email, 1L), (row!.Email, row.Version));
        }
    }

    [Fact]
    public async Task Plain_user_patching_someone_else_gets_404_and_nothing_changes()
    {
        var (_, client) = await app.NewUserAsync();
        var (other, _) = await app.CreateAsync(fullName: "Unchanged");

        var rsp = await client.PatchAsync($"/api/users/{other.Id}", Json.Of(new Update.Patch { FullName = "Hijacked", Role = "admin" }));

        await rsp.AssertProblemAsync(HttpStatusCode.NotFound);
        var row = await app.RowAsync(other.Id);
        Assert.Equal(("Unchanged", "user", 1L), (row!.FullName, row.Role, row.Version));
    }

    [Fact]
    public async Task Plain_user_changes_their_own_name()
    {
        var (me, client) = await app.NewUserAsync();

        var rsp = await client.PatchAsync($"/api/users/{me.Id}", Json.Of(new Update.Patch { FullName = "Self Made" }));

        Assert.Equal(HttpStatusCode.OK, rsp.StatusCode);
        Assert.Equal("Self Made", (await app.RowAsync(me.Id))!.FullName);
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("user")]
    public async Task Plain_user_sending_role_gets_403_and_nothing_changes(string role)
    {
        var (me, client) = await app.NewUserAsync("Unchanged");

        var rsp = await client.PatchAsync($"/api/users/{me.Id}", Json.Of(new Update.Patch { FullName = "Changed", Role = role }));

        await rsp.AssertProblemAsync(HttpStatusCode.Forbidden);
        var row = await app.RowAsync(me.Id);
        Assert.Equal(("Unchanged", "user", 1L), (row!.FullName, row.Role, row.Version));
    }

    [Fact]
    public async Task Admin_promotes_a_user()
    {
        var (user, _) = await app.CreateAsync();

        var (rsp, updated) = await app.Client.PATCHAsync<Endpoint, Request, UserResponse>(new() { Id = user.Id, Body = new() { Role = "admin" } });

        Assert.Equal(HttpStatusCode.OK, rsp.StatusCode);
        Assert.Equal("admin", updated.Role);
        Assert.Equal("admin", (await app.RowAsync(user.Id))!.Role);
    }

}
