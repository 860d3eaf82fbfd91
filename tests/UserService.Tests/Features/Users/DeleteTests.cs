using System.Net;
using UserService.Features.Users.Delete;

namespace UserService.Tests.Features.Users;

public sealed class DeleteTests(App app)
{
    [Fact]
    public async Task Delete_returns_204_and_removes_the_row()
    {
        var (user, _) = await app.CreateAsync();

        var rsp = await app.Client.DELETEAsync<Endpoint, Request>(new() { Id = user.Id });

        Assert.Equal(HttpStatusCode.NoContent, rsp.StatusCode);
        Assert.Empty(await rsp.Content.ReadAsByteArrayAsync());
        Assert.Null(await app.RowAsync(user.Id));
    }

    [Fact]
    public async Task Second_delete_returns_404()
    {
        var (user, _) = await app.CreateAsync();
        await app.Client.DELETEAsync<Endpoint, Request>(new() { Id = user.Id });

        var rsp = await app.Client.DELETEAsync<Endpoint, Request>(new() { Id = user.Id });

        await rsp.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Current_if_match_deletes()
    {
        var (user, etag) = await app.CreateAsync();

        var request = new HttpRequestMessage(HttpMethod.Delete, $"/api/users/{user.Id}");
        request.Headers.TryAddWithoutValidation("If-Match", etag);
        var rsp = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, rsp.StatusCode);
        Assert.Null(await app.RowAsync(user.Id));
    }

    [Fact]
    public async Task Stale_if_match_returns_412_and_keeps_the_row()
    {
        var (user, _) = await app.CreateAsync();

        // If-Match travels as a header (FastEndpoints' typed helper would put it in a JSON body, which DELETE does not read).
        var request = new HttpRequestMessage(HttpMethod.Delete, $"/api/users/{user.Id}");
        request.Headers.TryAddWithoutValidation("If-Match", "\"41\"");
        var rsp = await app.Client.SendAsync(request);

        await rsp.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.NotNull(await app.RowAsync(user.Id));
    }

    [Fact]
    public async Task Id_that_is_not_a_uuid_returns_404()
    {
        var rsp = await app.Client.DeleteAsync("/api/users/not-a-uuid");

        await rsp.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Plain_user_deleting_someone_else_gets_404_and_the_row_stays()
    {
        var (_, client) = await app.NewUserAsync();
        var (other, _) = await app.CreateAsync();

        var rsp = await client.DELETEAsync<Endpoint, Request>(new() { Id = other.Id });

        await rsp.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.NotNull(await app.RowAsync(other.Id));
    }

    [Fact]
    public async Task Plain_user_deletes_themselves()
    {
        var (me, client) = await app.NewUserAsync();

        var rsp = await client.DELETEAsync<Endpoint, Request>(new() { Id = me.Id });

        Assert.Equal(HttpStatusCode.NoContent, rsp.StatusCode);
        Assert.Null(await app.RowAsync(me.Id));
    }
}
