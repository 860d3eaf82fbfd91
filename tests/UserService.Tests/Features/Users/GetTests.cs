using System.Net;
using UserService.Features.Users;
using UserService.Features.Users.Get;

namespace UserService.Tests.Features.Users;

public sealed class GetTests(App app)
{
    [Fact]
    public async Task Existing_user_returns_200_with_its_etag()
    {
        var (created, etag) = await app.CreateAsync(fullName: "Grace Hopper");

        var (rsp, user) = await app.Client.GETAsync<Endpoint, Request, UserResponse>(new() { Id = created.Id });

        Assert.Equal(HttpStatusCode.OK, rsp.StatusCode);
        Assert.Equal(etag, rsp.Headers.ETag?.Tag);
        Assert.Equal(created, user);
    }

    [Fact]
    public async Task Missing_user_returns_404()
    {
        var (rsp, _) = await app.Client.GETAsync<Endpoint, Request, UserResponse>(new() { Id = Guid.CreateVersion7() });

        await rsp.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("123")]
    [InlineData("01939c5e-0000-7000-8000-00000000000")]
    public async Task Id_that_is_not_a_uuid_returns_404(string id)
    {
        var rsp = await app.Client.GetAsync($"/api/users/{id}");

        await rsp.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Plain_user_reads_themselves_but_gets_404_for_anyone_else_as_if_absent()
    {
        var (me, client) = await app.NewUserAsync();
        var (other, _) = await app.CreateAsync();

        var mine = await client.GetAsync($"/api/users/{me.Id}");
        var theirs = await client.GetAsync($"/api/users/{other.Id}");
        var nobody = await client.GetAsync($"/api/users/{Guid.CreateVersion7()}");

        Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
        var hidden = await theirs.AssertProblemAsync(HttpStatusCode.NotFound);
        var absent = await nobody.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(absent.GetProperty("detail").GetString(), hidden.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Admin_reads_anyone()
    {
        var (other, _) = await app.CreateAsync();
        var (_, admin) = await app.NewAdminAsync();

        var (rsp, user) = await admin.GETAsync<Endpoint, Request, UserResponse>(new() { Id = other.Id });

        Assert.Equal(HttpStatusCode.OK, rsp.StatusCode);
        Assert.Equal(other.Id, user.Id);
    }
}
