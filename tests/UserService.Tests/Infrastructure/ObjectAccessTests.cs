using System.Net;

namespace UserService.Tests.Infrastructure;

/// <summary>
/// OWASP API1 (broken object level authorization): on every route that acts on one user by id, a plain user naming
/// someone else gets the answer a missing user gets, and changes nothing.
/// </summary>
public sealed class ObjectAccessTests(App app)
{
    /// <summary>Every signed-in route on <c>/api/users/{id}</c> (and below it) open to any role, from the endpoints' own metadata.</summary>
    public static Task<TheoryData<string, string>> UserIdRoutes() =>
        ApiRoutes.RowsAsync(r => r.Pattern.StartsWith("/api/users/{id", StringComparison.Ordinal) && !r.IsAnonymous && r.Roles.Count == 0);

    [Theory, MemberData(nameof(UserIdRoutes), DisableDiscoveryEnumeration = true)]
    public async Task Someone_elses_id_answers_like_a_missing_user_and_changes_nothing(string method, string route)
    {
        var target = ApiRoutes.Find(app, method, route);
        var (victim, _) = await app.CreateAsync(fullName: "Untouched");
        var (_, client) = await app.NewUserAsync();

        var others = await client.SendAsync(Request(target, victim.Id));
        var missing = await client.SendAsync(Request(target, Guid.CreateVersion7()));

        var problem = await others.AssertProblemAsync(HttpStatusCode.NotFound);
        var absent = await missing.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(absent.GetProperty("detail").GetString(), problem.GetProperty("detail").GetString());
        Assert.Null(others.Headers.ETag);
        var row = await app.RowAsync(victim.Id);
        Assert.Equal(("Untouched", 1L), (row!.FullName, row.Version));
    }

    /// <summary>A request that would succeed for the caller's own id: a body, where the route takes one, that only renames.</summary>
    static HttpRequestMessage Request(ApiRoute route, Guid id) => new(new HttpMethod(route.Method), route.PathWith(id.ToString()))
    {
        Content = route.BodyFields.Contains("fullName") ? Json.Of(new { fullName = "Hacked" }) : null,
    };
}
