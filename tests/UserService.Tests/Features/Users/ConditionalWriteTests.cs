using System.Net;

namespace UserService.Tests.Features.Users;

/// <summary>
/// PATCH and DELETE share one meaning of <c>If-Match</c> (src/Features/Users/UserSql.cs): the same header gives the
/// same answer on both, and a write that matched nothing is 412 only when the user exists.
/// </summary>
public sealed class ConditionalWriteTests(App app)
{
    Task<HttpResponseMessage> SendAsync(string method, Guid id, string ifMatch)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), $"/api/users/{id}");
        if (method == "PATCH")
        {
            request.Content = Json.Body("""{"fullName":"Changed"}""", "application/merge-patch+json");
        }

        request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return app.Client.SendAsync(request);
    }

    [Theory]
    [InlineData("*")]
    [InlineData("\"999\", \"1\"")]
    public async Task Delete_with_if_match_star_or_a_list_containing_the_current_etag_deletes(string ifMatch)
    {
        var (user, _) = await app.CreateAsync();

        var rsp = await SendAsync("DELETE", user.Id, ifMatch);

        Assert.Equal(HttpStatusCode.NoContent, rsp.StatusCode);
        Assert.Null(await app.RowAsync(user.Id));
    }

    [Theory]
    [InlineData("W/\"1\"")]
    [InlineData("garbage")]
    public async Task Delete_with_a_weak_or_malformed_if_match_returns_412_and_keeps_the_row(string ifMatch)
    {
        var (user, _) = await app.CreateAsync();

        var rsp = await SendAsync("DELETE", user.Id, ifMatch);

        await rsp.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.NotNull(await app.RowAsync(user.Id));
    }

    [Theory]
    [InlineData("PATCH", "\"1\"")]
    [InlineData("PATCH", "*")]
    [InlineData("DELETE", "\"1\"")]
    [InlineData("DELETE", "*")]
    public async Task A_conditional_write_to_a_missing_user_returns_404_not_412(string method, string ifMatch)
    {
        var rsp = await SendAsync(method, Guid.CreateVersion7(), ifMatch);

        await rsp.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    public async Task A_conditional_write_to_a_user_deleted_meanwhile_returns_404(string method)
    {
        var (user, etag) = await app.CreateAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync("DELETE", user.Id, etag)).StatusCode);

        var rsp = await SendAsync(method, user.Id, etag);

        await rsp.AssertProblemAsync(HttpStatusCode.NotFound);
    }
}
