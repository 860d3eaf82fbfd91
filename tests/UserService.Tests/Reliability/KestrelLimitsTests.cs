using System.Diagnostics;
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

    [Fact]
    public async Task Clients_too_slow_with_their_headers_or_their_body_are_cut_off_and_the_service_carries_on()
    {
        await using var service = ServiceProcess.Start();
        await service.WaitUntilReadyAsync();
        // HttpLimitsExtensions: headers within 10 s; a body at 240 bytes/s or more after a 5 s grace. Three times the
        // limit is the most either may take before RawHttp gives up and the test fails (Kestrel checks once a second).
        var giveUp = TimeSpan.FromSeconds(30);
        var started = Stopwatch.StartNew();
        var headers = Timed(RawHttp.SendAsync(service.Port, "GET /health/live HTTP/1.1\r\nHost: localhost\r\nX-Never: ending", timeout: giveUp));
        var body = Timed(RawHttp.SendAsync(service.Port,
            "POST /api/users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n",
            [.. Enumerable.Repeat("a"u8.ToArray(), 1000 - 13).Prepend("{\"fullName\":\""u8.ToArray())], giveUp, pause: TimeSpan.FromMilliseconds(500)));
        var ((slowHeaders, headersAfter), (slowBody, bodyAfter)) = (await headers, await body);
        var live = await RawHttp.SendAsync(service.Port, "GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

        TestReport.Line($"headers never finished: {slowHeaders.Status} after {headersAfter.TotalSeconds:F1} s; body at 2 bytes/s: {slowBody.Status} {slowBody.ContentType} after {bodyAfter.TotalSeconds:F1} s; then /health/live {live.Status}");
        Assert.True(headersAfter >= TimeSpan.FromSeconds(9), $"cut off after {headersAfter}, before the 10 s header limit");
        Assert.True(bodyAfter >= TimeSpan.FromSeconds(4), $"cut off after {bodyAfter}, before the 5 s grace period");
        Assert.True(slowHeaders.Status == 408, $"slow headers answered {slowHeaders.Status}: {slowHeaders.Head}");
        Assert.Equal((408, "application/problem+json"), (slowBody.Status, slowBody.ContentType));
        Assert.Equal(200, live.Status);
        Assert.DoesNotContain(service.Output, l => l.Contains("Unhandled exception", StringComparison.Ordinal));

        async Task<(RawHttp.Answer, TimeSpan)> Timed(Task<RawHttp.Answer> answer) => (await answer, started.Elapsed);
    }
}
