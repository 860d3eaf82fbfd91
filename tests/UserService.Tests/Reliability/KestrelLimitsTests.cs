using System.Text;

namespace UserService.Tests.Reliability;

/// <summary>
/// The server limits of HttpLimitsExtensions on the real server (the in-memory test server enforces none of them):
/// oversized or malformed requests are refused before they cost the database anything, and the process carries on.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class KestrelLimitsTests
{
    [Fact]
    public async Task Oversized_or_malformed_requests_are_refused_with_4xx_and_the_service_carries_on()
    {
        await using var service = ServiceProcess.Start();
        await service.WaitUntilReadyAsync();
        var big = Encoding.UTF8.GetBytes($$"""{"email":"big@example.com","password":"correct horse battery staple","fullName":"{{new string('a', 100_000)}}"}""");
        const string Post = "POST /api/users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nConnection: close\r\n";

        var chunked = await RawHttp.SendAsync(service.Port, Post + "Transfer-Encoding: chunked\r\n\r\n", RawHttp.Chunked(big));
        var declared = await RawHttp.SendAsync(service.Port, Post + $"Content-Length: {big.Length}\r\n\r\n", [big]);
        var headers = await RawHttp.SendAsync(service.Port, Post + $"X-Padding: {new string('h', 40_000)}\r\nContent-Length: 2\r\n\r\n{{}}");
        var line = await RawHttp.SendAsync(service.Port, $"GET /api/users?q={new string('q', 9_000)} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        var nul = await RawHttp.SendAsync(service.Port, "GET /api/users/%00 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        var bare = await RawHttp.SendAsync(service.Port, "GET /api/users HTTP/1.1\r\nHost: localhost\r\nNo colon on this line\r\nConnection: close\r\n\r\n");
        var live = await RawHttp.SendAsync(service.Port, "GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

        TestReport.Line($"100 KB chunked body: {chunked.Status} {chunked.ContentType}; declared 100 KB: {declared.Status} {declared.ContentType}; " +
               $"40 KB header: {headers.Status}; 9 KB request line: {line.Status}; %00 in path: {nul.Status}; header line without a colon: {bare.Status}; then /health/live {live.Status}");
        Assert.Equal((413, "application/problem+json"), (chunked.Status, chunked.ContentType));
        Assert.Equal((413, "application/problem+json"), (declared.Status, declared.ContentType));
        Assert.Equal(431, headers.Status);
        Assert.Equal(414, line.Status);
        Assert.Equal(400, nul.Status);
        Assert.Equal(400, bare.Status);
        Assert.Equal(200, live.Status);
        Assert.DoesNotContain(service.Output, l => l.Contains("Unhandled exception", StringComparison.Ordinal));
    }
}
