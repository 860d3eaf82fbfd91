using System.Net;
using System.Text;

namespace UserService.Tests.Reliability;

/// <summary>What the generated hostile input found, pinned down as plain examples.</summary>
public sealed class HostileInputRegressionTests(App app)
{
    [Theory]
    [InlineData("POST", "/api/users", "application/json; charset=bogus")]
    [InlineData("POST", "/api/users", "application/json; charset=")]
    [InlineData("POST", "/api/users", "application/json; charset=utf-16")]
    [InlineData("PATCH", "/api/users/{id}", "application/merge-patch+json; charset=latin1")]
    [InlineData("GET", "/api/users", "application/json; charset=bogus")]
    [InlineData("DELETE", "/api/users/{id}", "application/json; charset=bogus")]
    public async Task A_json_body_in_a_charset_other_than_utf8_is_a_415_problem_not_a_500(string method, string path, string contentType)
    {
        var (user, _) = await app.CreateAsync(fullName: "Charset");
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"fullName":"Changed"}"""));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        var rsp = await app.Client.SendAsync(new(new HttpMethod(method), path.Replace("{id}", user.Id.ToString(), StringComparison.Ordinal)) { Content = content });

        await rsp.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(("Charset", 1L), ((await app.RowAsync(user.Id))!.FullName, (await app.RowAsync(user.Id))!.Version));
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/json; charset=UTF-8")]
    [InlineData("application/merge-patch+json; charset=utf-8")]
    public async Task A_json_body_declared_utf8_is_accepted(string contentType)
    {
        var (user, _) = await app.CreateAsync();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"fullName":"Zoë"}"""));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        var rsp = await app.Client.SendAsync(new(HttpMethod.Patch, $"/api/users/{user.Id}") { Content = content });

        Assert.Equal(HttpStatusCode.OK, rsp.StatusCode);
        Assert.Equal("Zoë", (await app.RowAsync(user.Id))!.FullName);
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData("application/xml")]
    [InlineData("text/plain;q=0")]
    [InlineData("image/png")]
    public async Task Errors_are_problem_details_whatever_the_accept_header(string accept)
    {
        async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path)
        {
            var request = new HttpRequestMessage(method, path);
            request.Headers.TryAddWithoutValidation("Accept", accept);
            return await app.Client.SendAsync(request);
        }

        await (await SendAsync(HttpMethod.Get, $"/api/users/{Guid.CreateVersion7()}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await SendAsync(HttpMethod.Get, "/api/nothing-here")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await SendAsync(HttpMethod.Delete, "/api/users")).AssertProblemAsync(HttpStatusCode.MethodNotAllowed);
        await (await SendAsync(HttpMethod.Get, "/api/users?limit=0")).AssertProblemAsync(HttpStatusCode.BadRequest, "limit");
        await (await SendAsync(HttpMethod.Post, "/api/users")).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }
}
