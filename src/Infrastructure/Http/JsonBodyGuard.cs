using Microsoft.Net.Http.Headers;

namespace UserService.Infrastructure.Http;

/// <summary>
/// Answers 413 and 415 for <c>/api</c> requests before any binding runs, so a form post, an oversized body, a JSON
/// look-alike media type or a JSON body in a charset other than UTF-8 never reaches an endpoint. Kestrel enforces the
/// same size limit on chunked bodies as they stream in. It never throws on what a client sends: the media type is
/// parsed with TryParse and a charset is compared by name, never looked up (<c>utf-7</c> would throw).
/// </summary>
internal sealed class JsonBodyGuard(RequestDelegate next)
{
    public const string Json = "application/json";

    public const string MergePatch = "application/merge-patch+json";

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!request.Path.StartsWithSegments(ApiExtensions.BasePath))
        {
            return next(context);
        }

        var isWrite = HttpMethods.IsPost(request.Method) || HttpMethods.IsPatch(request.Method) || HttpMethods.IsPut(request.Method);
        if (isWrite && request.ContentLength > HttpLimitsExtensions.MaxBodyBytes)
        {
            return Errors.Problems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge,
                $"The request body is larger than {HttpLimitsExtensions.MaxBodyBytes} bytes.");
        }

        MediaTypeHeaderValue.TryParse(request.ContentType, out var type);
        if (isWrite && !IsBodilessCallOfABodilessRoute(context) && !IsAccepted(type, HttpMethods.IsPatch(request.Method)))
        {
            return Errors.Problems.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType,
                "The request body must be application/json (or, on PATCH, application/merge-patch+json).");
        }

        // Any method: FastEndpoints reads a JSON body (anything it takes for JSON, +json suffixes too) on GET and
        // DELETE as well, and the JSON reader throws (a 500) on a charset it does not know. JSON is UTF-8 (RFC 8259).
        if (type is not null && IsJsonLike(type) && !IsUtf8OrAbsent(type.Charset))
        {
            return Errors.Problems.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType,
                "A JSON request body must be UTF-8 (charset=utf-8, or no charset).");
        }

        if (!isWrite)
        {
            // The contract gives GET, HEAD and DELETE no body: without a content type, nothing binds from one.
            request.Headers.ContentType = default;
        }
        else if (type is { Charset.HasValue: true })
        {
            // UTF-8 said in any spelling (quoted, upper case): the JSON reader, which takes only the plain one, gets none.
            request.Headers.ContentType = type.MediaType.Value;
        }

        return next(context);
    }

    /// <summary>A POST with no body at all to a route that takes none (<c>POST /api/auth/logout-all</c>): no media type to check.</summary>
    static bool IsBodilessCallOfABodilessRoute(HttpContext context) =>
        context.Request is { ContentLength: null or 0, ContentType: null } request && request.Headers.TransferEncoding.Count == 0
        && context.GetEndpoint()?.Metadata.GetMetadata<FastEndpoints.EndpointDefinition>()?.ReqDtoType == typeof(FastEndpoints.EmptyRequest);

    /// <summary>Exactly <c>application/json</c>, or <c>application/merge-patch+json</c> on PATCH (RFC 7396); no other +json type.</summary>
    static bool IsAccepted(MediaTypeHeaderValue? type, bool isPatch) =>
        type is not null && (type.MatchesMediaType(Json) || (isPatch && type.MatchesMediaType(MergePatch)));

    static bool IsJsonLike(MediaTypeHeaderValue type) =>
        type.MatchesMediaType(Json) || type.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase);

    /// <summary>A quoted charset (<c>charset="utf-8"</c>) is the same parameter value (RFC 9110 section 5.6.6).</summary>
    static bool IsUtf8OrAbsent(Microsoft.Extensions.Primitives.StringSegment charset)
    {
        if (!charset.HasValue)
        {
            return true;
        }

        var name = HeaderUtilities.RemoveQuotes(charset);
        return name.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || name.Equals("utf8", StringComparison.OrdinalIgnoreCase);
    }
}
