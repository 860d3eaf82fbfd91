using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace UserService.Tests.Infrastructure;

public sealed class HealthTests(App app)
{
    [Fact]
    public async Task Live_answers_200_without_touching_the_database()
    {
        var rsp = await app.Client.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, rsp.StatusCode);
    }

    [Fact]
    public async Task Ready_answers_200_once_the_database_answers_and_is_migrated()
    {
        var rsp = await app.Client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, rsp.StatusCode);
        var body = await rsp.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
    }
}
