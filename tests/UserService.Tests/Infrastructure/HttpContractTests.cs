using System.Net;
using System.Net.Http.Json;
using System.Text;
using UserService.Features.Users;

namespace UserService.Tests.Infrastructure;

/// <summary>
/// HTTP as RFC 9110 and docs/http-contract.md say, where an attacker found it bent: where each value binds from, which media types
/// and charsets a body may have, HEAD, what error bodies and challenges reveal, control characters in every field.
/// </summary>
public sealed partial class HttpContractTests(App app)
{
    [Theory]
    [InlineData("GET")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    public async Task A_query_string_or_body_id_never_overrides_the_id_in_the_path(string method)
    {
        var (target, _) = await app.CreateAsync(fullName: "Target");
        var (other, _) = await app.CreateAsync(fullName: "Other");
        var request = new HttpRequestMessage(new HttpMethod(method), $"/api/users/{target.Id}?id={other.Id}&Id={other.Id}");
        if (method == "PATCH")
        {
            request.Content = Json.Body("""{"fullName":"Patched"}""");
        }

        var rsp = await app.Client.SendAsync(request);

        Assert.True(rsp.IsSuccessStatusCode, $"{(int)rsp.StatusCode}: {await rsp.Content.ReadAsStringAsync()}");
        if (method == "GET")
        {
            Assert.Equal(target.Id, (await rsp.Content.ReadFromJsonAsync<UserResponse>())!.Id);
        }

        Assert.Equal(("Other", 1L), ((await app.RowAsync(other.Id))!.FullName, (await app.RowAsync(other.Id))!.Version));
        Assert.Equal(method == "DELETE", await app.RowAsync(target.Id) is null);
    }

    [Fact]
    public async Task Delete_reads_if_match_from_the_header_only_never_from_a_body_or_the_query()
    {
        var (user, _) = await app.CreateAsync();
        var request = new HttpRequestMessage(HttpMethod.Delete, $"/api/users/{user.Id}?ifMatch=%2299%22&IfMatch=%2299%22")
        {
            Content = Json.Body("""{"ifMatch":"\"99\""}"""),
        };

        var rsp = await app.Client.SendAsync(request);

        Assert.NotEqual(HttpStatusCode.PreconditionFailed, rsp.StatusCode);
        Assert.Null(await app.RowAsync(user.Id));
    }

    [Fact]
    public async Task The_list_reads_its_parameters_from_the_query_string_never_from_a_json_body()
    {
        await app.CreateAsync();
        await app.CreateAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/users?limit=2") { Content = Json.Body("""{"limit":1,"q":"nobody-matches-this"}""") };

        var rsp = await app.Client.SendAsync(request);
        var body = await rsp.Content.ReadAsStringAsync();

        Assert.True(rsp.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, body);
        if (rsp.StatusCode == HttpStatusCode.OK)
        {
            Assert.Equal(2, System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("items").GetArrayLength());
        }
        else
        {
            Assert.DoesNotContain("UserService.", body, StringComparison.Ordinal);
        }

        var bodyOnly = await app.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/users") { Content = Json.Body("""{"limit":1}""") });
        if (bodyOnly.StatusCode == HttpStatusCode.OK)
        {
            var items = System.Text.Json.JsonDocument.Parse(await bodyOnly.Content.ReadAsStringAsync()).RootElement.GetProperty("items").GetArrayLength();
            Assert.True(items > 1, "a body limit of 1 was applied");
        }
        else
        {
            await bodyOnly.AssertProblemAsync(HttpStatusCode.BadRequest);
        }
    }

    [Theory]
    [InlineData("POST", "application/json; charset=utf-7")]
    [InlineData("POST", "application/json; charset=UTF-7")]
    [InlineData("PATCH", "application/merge-patch+json; charset=utf-7")]
    [InlineData("GET", "application/json; charset=utf-7")]
    [InlineData("DELETE", "application/json; charset=utf-7")]
    [InlineData("POST", "application/json; charset=utf-32")]
    [InlineData("POST", "application/json; charset=\"utf-16\"")]
    [InlineData("POST", "application/json; charset=ibm037")]
    [InlineData("GET", "application/evil+json; charset=utf-7")]
    [InlineData("POST", "application/evil+json")]
    [InlineData("POST", "application/vnd.api+json")]
    [InlineData("POST", "application/problem+json")]
    [InlineData("POST", "application/merge-patch+json")]
    [InlineData("PATCH", "application/evil+json")]
    [InlineData("POST", "text/json")]
    [InlineData("POST", "application/json\u0000")]
    public async Task A_body_in_another_media_type_or_charset_is_a_415_problem_and_changes_nothing(string method, string contentType)
    {
        var (user, _) = await app.CreateAsync(fullName: "Charset");
        var email = TestUsers.UniqueEmail("charset");
        var path = method == "POST" ? "/api/users" : method == "GET" ? $"/api/users/{user.Id}" : $"/api/users/{user.Id}";
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes($$"""{"email":"{{email}}","password":"{{TestUsers.Password}}","fullName":"Changed"}"""));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        var rsp = await app.Client.SendAsync(new(new HttpMethod(method), path) { Content = content });

        await rsp.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(("Charset", 1L), ((await app.RowAsync(user.Id))!.FullName, (await app.RowAsync(user.Id))!.Version));
        Assert.Equal(0, await app.CountByEmailAsync(email));
    }

    [Theory]
    [InlineData("POST", "application/json; charset=\"utf-8\"")]
    [InlineData("POST", "application/json; charset=\"UTF-8\"")]
    [InlineData("POST", "application/json;charset=utf-8")]
    [InlineData("POST", "Application/JSON")]
    [InlineData("PATCH", "application/merge-patch+json; charset=\"utf-8\"")]
    [InlineData("PATCH", "application/json; charset=\"utf-8\"")]
    public async Task A_quoted_utf8_charset_and_any_casing_are_accepted(string method, string contentType)
    {
        var (user, _) = await app.CreateAsync(fullName: "Before");
        var email = TestUsers.UniqueEmail("quoted");
        var path = method == "POST" ? "/api/users" : $"/api/users/{user.Id}";
        var json = method == "POST" ? $$"""{"email":"{{email}}","password":"{{TestUsers.Password}}","fullName":"Zoë"}""" : """{"fullName":"Zoë"}""";
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        var rsp = await app.Client.SendAsync(new(new HttpMethod(method), path) { Content = content });

        Assert.Equal(method == "POST" ? HttpStatusCode.Created : HttpStatusCode.OK, rsp.StatusCode);
        Assert.Equal("Zoë", (await rsp.Content.ReadFromJsonAsync<UserResponse>())!.FullName);
    }

    /// <summary>Every GET route the app maps, then a query string, a missing user and the health checks.</summary>
    public static async Task<TheoryData<string>> GetPaths()
    {
        var rows = new TheoryData<string>();
        foreach (var route in await ApiRoutes.RowsAsync(r => r.Method == "GET"))
        {
            rows.Add(route.Data.Item2);
        }

        rows.AddRange("/api/users?limit=2", "/api/users/{missing}", "/health/live", "/health/ready");
        return rows;
    }

    [Theory, MemberData(nameof(GetPaths), DisableDiscoveryEnumeration = true)]
    public async Task Head_answers_like_get_without_a_body(string route)
    {
        var (user, _) = await app.CreateAsync();
        var missing = Guid.CreateVersion7().ToString();
        var path = route.StartsWith("/api/users/{missing}", StringComparison.Ordinal)
            ? route.Replace("{missing}", missing, StringComparison.Ordinal)
            : ApiRoute.Fill(route, user.Id.ToString());

        var get = await app.Client.GetAsync(path);
        var head = await app.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

        Assert.Equal(get.StatusCode, head.StatusCode);
        Assert.NotEqual(HttpStatusCode.MethodNotAllowed, head.StatusCode);
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Equal(get.Content.Headers.ContentType?.MediaType, head.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Head_where_no_get_is_served_is_405_like_get()
    {
        var rsp = await app.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/auth/token"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, rsp.StatusCode);
    }
}
