using System.Net;

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
        var document = await app.Client.GetStringAsync("/swagger/v1/swagger.json");

        foreach (var operationId in new[] { "CreateUser", "GetUser", "ListUsers", "UpdateUser", "DeleteUser", "GetCurrentUser", "CreateToken", "RefreshToken", "Logout", "LogoutAll", "ListSessions", "DeleteSession" })
        {
            Assert.Contains($"\"operationId\": \"{operationId}\"", document, StringComparison.Ordinal);
        }
    }
}
