using System.Diagnostics;
using System.Net;

namespace UserService.Tests.Support;

/// <summary>
/// One request's fate as the client saw it, timed on a clock that the test shares with the fault it stages.
/// A failure before the status line is a clean refusal; a failure after it is a half answer.
/// </summary>
public sealed record Exchange(
    string Name, TimeSpan SentAt, TimeSpan Elapsed, HttpStatusCode? Status, string? RetryAfter, string? MediaType, string Body, string? Failure)
{
    public string? ETag { get; init; }

    public TimeSpan DoneAt => SentAt + Elapsed;

    /// <summary>A full answer: status line, headers and the whole body.</summary>
    public bool Answered => Status is not null && Failure is null;

    /// <summary>The status line arrived but the body broke off.</summary>
    public bool HalfAnswered => Status is not null && Failure is not null;

    public int Code => (int)(Status ?? 0);

    public override string ToString() =>
        $"{Name} at {SentAt.TotalMilliseconds:F0} ms: {(Status is null ? "no answer" : Code.ToString(System.Globalization.CultureInfo.InvariantCulture))} " +
        $"after {Elapsed.TotalMilliseconds:F0} ms{(Failure is null ? "" : $" ({Failure})")}";

    /// <summary>Status counts, e.g. <c>200x41, 503x7, failedx2</c>.</summary>
    public static string Summary(IEnumerable<Exchange> exchanges) => string.Join(", ", exchanges
        .GroupBy(e => e.Status is null ? "no-answer" : e.Failure is null ? e.Code.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{e.Code}-half")
        .OrderBy(g => g.Key, StringComparer.Ordinal)
        .Select(g => $"{g.Key}x{g.Count()}"));
}

public static class ExchangeExtensions
{
    /// <summary>The service's answer while the database cannot serve: a 503 problem that says when to try again.</summary>
    public static void AssertRetryableProblem(this Exchange e)
    {
        Assert.True(e.Status == HttpStatusCode.ServiceUnavailable, $"expected 503: {e}");
        Assert.Equal("application/problem+json", e.MediaType);
        Assert.Equal("2", e.RetryAfter);
        Assert.Contains("\"status\":503", e.Body, StringComparison.Ordinal);
    }

    /// <summary>
    /// Sends and reads the whole answer, never throwing: connection errors, half answers and a client-side
    /// <paramref name="timeout"/> (a hang) all come back as an <see cref="Exchange"/> with a failure.
    /// </summary>
    public static async Task<Exchange> ExchangeAsync(this HttpClient client, HttpRequestMessage request, Stopwatch clock, string name,
        TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(30));
        var sentAt = clock.Elapsed;
        HttpResponseMessage rsp;
        try
        {
            rsp = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            return new(name, sentAt, clock.Elapsed - sentAt, null, null, null, "", Describe(e));
        }

        using (rsp)
        {
            var retryAfter = rsp.Headers.RetryAfter?.ToString();
            var mediaType = rsp.Content.Headers.ContentType?.MediaType;
            try
            {
                var body = await rsp.Content.ReadAsStringAsync(cts.Token);
                return new(name, sentAt, clock.Elapsed - sentAt, rsp.StatusCode, retryAfter, mediaType, body, null) { ETag = rsp.Headers.ETag?.Tag };
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
            {
                return new(name, sentAt, clock.Elapsed - sentAt, rsp.StatusCode, retryAfter, mediaType, "", Describe(e));
            }
        }
    }

    static string Describe(Exception e) => e is OperationCanceledException
        ? "client timeout"
        : string.Join(" -> ", Chain(e).Select(x => $"{x.GetType().Name}: {x.Message}"));

    static IEnumerable<Exception> Chain(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }
}
