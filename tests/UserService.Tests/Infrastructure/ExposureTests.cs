using System.Net;
using System.Net.Http.Json;
using Dapper;
using Npgsql;

namespace UserService.Tests.Infrastructure;

/// <summary>
/// What a production instance shows to whoever reaches its port: the API and health only. Metrics, the OpenAPI
/// document and Swagger UI are there only when configuration says so (metrics on a port of their own).
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ExposureTests(App app)
{
    static readonly string[] Hidden = ["/metrics", "/swagger", "/swagger/index.html", "/swagger/v1/swagger.json"];

    [Fact]
    public async Task In_production_metrics_and_the_openapi_document_are_not_served_by_default()
    {
        await using var service = ServiceProcess.Start(settings: new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" });
        await service.WaitUntilReadyAsync(signIn: false);

        foreach (var path in Hidden)
        {
            var rsp = await service.Client.GetAsync(path);
            Assert.True(rsp.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)rsp.StatusCode}");
        }

        Assert.Equal(HttpStatusCode.OK, (await service.Client.GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task Configured_metrics_answer_only_on_their_own_port_and_the_openapi_document_when_exposed()
    {
        var metricsPort = ServiceProcess.FreePort();
        await using var service = ServiceProcess.Start(settings: new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Metrics__Port"] = metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Api__ExposeOpenApi"] = "true",
        });
        await service.WaitUntilReadyAsync(signIn: false);
        using var scraper = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}") };

        var onMetricsPort = await scraper.GetAsync("/metrics");
        var onApiPort = await service.Client.GetAsync("/metrics");
        var apiOnMetricsPort = await scraper.GetAsync("/api/users/me");
        var healthOnMetricsPort = await scraper.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, onMetricsPort.StatusCode);
        var body = await onMetricsPort.Content.ReadAsStringAsync();
        Assert.Contains("db_client_connection_pool_name=\"users\"", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Host=", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, onApiPort.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, apiOnMetricsPort.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, healthOnMetricsPort.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await service.Client.GetAsync("/swagger/v1/swagger.json")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await service.Client.GetAsync("/swagger/index.html")).StatusCode);
    }

    [Fact]
    public async Task The_first_admin_is_created_under_the_canonical_email_and_a_look_alike_admin_email_stops_startup()
    {
        await using var database = await ScratchDatabase.CreateAsync(app, "exposure");
        var cs = database.ConnectionString;
        await using (var refused = ServiceProcess.Start(cs, new Dictionary<string, string>
        {
            ["Admin__Email"] = "ro\u200bot@example.com",
            ["Admin__Password"] = "configured admin password",
        }))
        {
            Assert.Equal(1, await refused.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains(refused.Output, l => l.Contains("Admin:Email", StringComparison.Ordinal) && l.Contains("invisible", StringComparison.Ordinal));
        }

        await using var service = ServiceProcess.Start(cs, new Dictionary<string, string>
        {
            ["Admin__Email"] = "  ROOT@\uff25xample.COM ",
            ["Admin__Password"] = "configured admin password",
        });
        await service.WaitUntilReadyAsync(signIn: false);

        var token = await Identity.SignInAsync(service.Client, "root@example.com", "configured admin password");
        var me = await service.Client.WithToken(token).GetFromJsonAsync<UserService.Features.Users.UserResponse>("/api/users/me");
        Assert.Equal(("root@example.com", "admin"), (me!.Email, me.Role));
    }
}
