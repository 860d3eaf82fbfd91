using System.Net;
using System.Net.Http.Json;
using System.Text;
using UserService.Features.Users;

namespace UserService.Tests.Infrastructure;

/// <summary>What error bodies and challenges reveal, and control characters in every text field and query parameter.</summary>
public sealed partial class HttpContractTests
{
    [Theory]
    [InlineData("/api/users", """[1]""")]
    [InlineData("/api/users", """{"email":1}""")]
    [InlineData("/api/users", """{"email":"a@example.com","role":"admin"}""")]
    [InlineData("/api/users", """{"email":"a@example.com","email":"b@example.com"}""")]
    [InlineData("/api/users", """{"fullName":{"a":1}}""")]
    [InlineData("/api/users", """{"email":""", "serializerErrors")]
    [InlineData("/api/users", """{"email":x}""", "serializerErrors")]
    [InlineData("/api/users", """"oops"""")]
    [InlineData("/api/auth/token", """[true]""")]
    [InlineData("/api/auth/token", """{"email":[],"password":{}}""")]
    [InlineData("/api/users/{id}", """[1]""")]
    [InlineData("/api/users/{id}", """{"fullName":7}""")]
    [InlineData("/api/users/{id}", """{"id":"x"}""")]
    public async Task Error_bodies_never_name_internal_dotnet_types(string route, string json, string? field = null)
    {
        var (user, _) = await app.CreateAsync(fullName: "Typed");
        var path = route.Replace("{id}", user.Id.ToString(), StringComparison.Ordinal);
        var method = route.Contains("{id}", StringComparison.Ordinal) ? HttpMethod.Patch : HttpMethod.Post;

        var rsp = await app.Client.SendAsync(new HttpRequestMessage(method, path) { Content = Json.Body(json) });
        var body = await rsp.Content.ReadAsStringAsync();

        await rsp.AssertProblemAsync(HttpStatusCode.BadRequest, field is null ? [] : [field]);
        foreach (var leak in new[] { "UserService.", "System.", "Int32", "String", ".NET", "Features.", "Request'", "Request." })
        {
            Assert.DoesNotContain(leak, body, StringComparison.Ordinal);
        }

        Assert.Equal(1L, (await app.RowAsync(user.Id))!.Version);
    }

    [Theory]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc")]
    [InlineData("garbage")]
    [InlineData("a.b.c")]
    public async Task The_bearer_challenge_never_says_why_a_token_failed(string token)
    {
        var rsp = await app.CreateClient().WithToken(token).GetAsync("/api/users/me");

        await rsp.AssertProblemAsync(HttpStatusCode.Unauthorized);
        var challenge = rsp.Headers.WwwAuthenticate.Single();
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.DoesNotContain("error_description", challenge.ToString(), StringComparison.Ordinal);
        Assert.True(challenge.Parameter is null or "error=\"invalid_token\"", challenge.ToString());
    }

    public static TheoryData<string, string, string> ControlCharacters()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var c in new[] { "\u0000", "\u0001", "\u0008", "\u001b", "\u007f", "\u0085", "\u009f", "\u2028", "\u2029" })
        {
            var escaped = $"\\u{(int)c[0]:x4}";
            data.Add("/api/auth/token", $$"""{"email":"ali{{escaped}}ce@example.com","password":"{{TestUsers.Password}}"}""", "email");
            data.Add("/api/auth/token", $$"""{"email":"alice@example.com{{escaped}}","password":"{{TestUsers.Password}}"}""", "email");
            data.Add("/api/users", $$"""{"email":"a{{escaped}}@example.com","password":"{{TestUsers.Password}}","fullName":"Ada"}""", "email");
            data.Add("/api/users", $$"""{"email":"{{TestUsers.UniqueEmail()}}","password":"{{TestUsers.Password}}","fullName":"A{{escaped}}da"}""", "fullName");
            data.Add("/api/users/{id}", $$"""{"email":"a{{escaped}}@example.com"}""", "email");
            data.Add("/api/users/{id}", $$"""{"fullName":"A{{escaped}}da"}""", "fullName");
        }

        return data;
    }

    [Theory, MemberData(nameof(ControlCharacters))]
    public async Task A_control_character_in_any_text_field_is_a_400_naming_it_never_a_500(string route, string json, string field)
    {
        var (user, _) = await app.CreateAsync(fullName: "Control");
        var path = route.Replace("{id}", user.Id.ToString(), StringComparison.Ordinal);
        var method = route.Contains("{id}", StringComparison.Ordinal) ? HttpMethod.Patch : HttpMethod.Post;

        var rsp = await app.Anonymous.SendAsync(new HttpRequestMessage(method, path) { Content = Json.Body(json) }.WithBearerOf(app.Client));

        await rsp.AssertProblemAsync(HttpStatusCode.BadRequest, field);
        Assert.Equal(1L, (await app.RowAsync(user.Id))!.Version);
    }

    [Theory]
    [InlineData("q=a%00b")]
    [InlineData("q=%1b%5b31m")]
    [InlineData("q=%E2%80%A8")]
    [InlineData("cursor=%00")]
    public async Task A_control_character_in_a_query_parameter_is_a_400_naming_it(string query)
    {
        var rsp = await app.Client.GetAsync($"/api/users?{query}");

        await rsp.AssertProblemAsync(HttpStatusCode.BadRequest, query.Split('=')[0]);
    }
}
