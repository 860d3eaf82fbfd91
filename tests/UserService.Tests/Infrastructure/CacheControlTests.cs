using System.Net;
using Update = UserService.Features.Users.Update;

namespace UserService.Tests.Infrastructure;

/// <summary>No cache, shared or private, keeps an answer that carries a token or a user's data (or an error about them).</summary>
public sealed class CacheControlTests(App app)
{
    public static TheoryData<string, string> Routes => new()
    {
        { "GET", "/api/users/me" },
        { "GET", "/api/users/{id}" },
        { "GET", "/api/users?limit=1" },
        { "GET", "/api/users/me/sessions" },
        { "GET", "/api/users/{missing}" },
        { "PATCH", "/api/users/{id}" },
        { "GET", "/api/nothing-here" },
    };

    [Theory, MemberData(nameof(Routes))]
    public async Task Every_api_answer_is_no_store(string method, string route)
    {
        var (user, client) = await app.NewUserAsync();
        var path = route.Replace("{id}", user.Id.ToString(), StringComparison.Ordinal).Replace("{missing}", Guid.CreateVersion7().ToString(), StringComparison.Ordinal);
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "PATCH")
        {
            request.Content = Json.Of(new Update.Patch { FullName = "Cached Nowhere" });
        }

        var rsp = await client.SendAsync(request);

        Assert.True(rsp.StatusCode is HttpStatusCode.OK or HttpStatusCode.Forbidden or HttpStatusCode.NotFound, $"{(int)rsp.StatusCode}");
        Assert.Equal("no-store", rsp.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task A_sign_up_and_a_refused_token_are_no_store_too()
    {
        var created = await app.Anonymous.PostAsync("/api/users", Json.Of(TestUsers.SignUp(fullName: "Ada")));
        var refused = await app.CreateClient().WithToken("not.a.token").GetAsync("/api/users/me");

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Unauthorized), (created.StatusCode, refused.StatusCode));
        Assert.Equal("no-store", created.Headers.CacheControl?.ToString());
        Assert.Equal("no-store", refused.Headers.CacheControl?.ToString());
    }
}
