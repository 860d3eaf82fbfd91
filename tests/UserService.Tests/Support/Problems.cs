using System.Net;
using System.Text.Json;

namespace UserService.Tests.Support;

public static class Problems
{
    /// <summary>
    /// Asserts an RFC 9457 problem: the status, the media type, and the members the contract (docs/http-contract.md) promises; when
    /// <paramref name="fields"/> are given, exactly those names in <c>errors</c>. Returns the parsed body.
    /// </summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage rsp, HttpStatusCode status, params string[] fields)
    {
        var body = await rsp.Content.ReadAsStringAsync();
        Assert.True(status == rsp.StatusCode, $"expected {(int)status}, got {(int)rsp.StatusCode}: {body}");
        Assert.Equal("application/problem+json", rsp.Content.Headers.ContentType?.MediaType);

        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("type").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.StartsWith("/", problem.GetProperty("instance").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("traceId").GetString()));

        if (fields.Length > 0)
        {
            var names = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("name").GetString()).Order().ToArray();
            Assert.Equal(fields.Order().ToArray(), names);
        }

        return problem;
    }
}
