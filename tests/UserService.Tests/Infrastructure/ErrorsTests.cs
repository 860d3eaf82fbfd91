using System.Net;
using System.Text.Json;

namespace UserService.Tests.Infrastructure;

public sealed class ErrorsTests(App app)
{
    [Fact]
    public async Task Unknown_route_is_a_404_problem()
    {
        var rsp = await app.Client.GetAsync("/api/nothing-here");

        await rsp.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Unsupported_method_is_a_405_problem()
    {
        var rsp = await app.Client.PutAsync($"/api/users/{Guid.CreateVersion7()}", Json.Body("{}"));

        await rsp.AssertProblemAsync(HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task Swagger_document_lists_every_operation_by_its_id()
    {
        var paths = JsonDocument.Parse(await app.Client.GetStringAsync("/swagger/v1/swagger.json")).RootElement.GetProperty("paths");
        var routes = ApiRoutes.Of(app);
        Assert.NotEmpty(routes);

        var ids = new List<string>();
        foreach (var route in routes)
        {
            Assert.True(paths.TryGetProperty(route.OpenApiPath, out var path), $"{route}: no path {route.OpenApiPath} in the document");
            Assert.True(path.TryGetProperty(route.Method.ToLowerInvariant(), out var operation), $"{route}: no operation in the document");
            var id = operation.TryGetProperty("operationId", out var value) ? value.GetString() : null;
            Assert.True(route.OperationId is not null, $"{route}: the endpoint names no operation (Description(b => b.WithName(\"VerbNoun\")))");
            Assert.Equal(route.OperationId, id);
            ids.Add(id!);
        }

        Assert.Equal(ids.Distinct().Count(), ids.Count);
    }
}
