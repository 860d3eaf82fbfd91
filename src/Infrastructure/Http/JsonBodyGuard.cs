using System.Text;
using Microsoft.Net.Http.Headers;

namespace UserService.Infrastructure.Http;

/// <summary>
/// Answers 413 and 415 for <c>/api</c> requests before any binding runs, so a form post, an oversized body or a
/// JSON body in a charset the JSON reader cannot decode never reaches an endpoint. Kestrel enforces the same size
/// limit on chunked bodies as they stream in.
/// </summary>
internal sealed class JsonBodyGuard(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!request.Path.StartsWithSegments("/api"))
        {
            return next(context);
        }

        var isWrite = HttpMethods.IsPost(request.Method) || HttpMethods.IsPatch(request.Method) || HttpMethods.IsPut(request.Method);
        if (isWrite && request.ContentLength > HttpLimitsExtensions.MaxBodyBytes)
        {
            return Errors.Problems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge,
                $"The request body is larger than {HttpLimitsExtensions.MaxBodyBytes} bytes.");
        }

        if (isWrite && !request.HasJsonContentType())
        {
            return Errors.Problems.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType,
                "The request body must be JSON (application/json or application/merge-patch+json).");
        }

        // Any method: FastEndpoints binds a JSON body on GET and DELETE too, and the JSON reader throws (a 500) on
        // a charset it does not know. JSON is UTF-8 (RFC 8259); say so instead.
        if (request.HasJsonContentType() && !IsUtf8OrAbsent(MediaTypeHeaderValue.Parse(request.ContentType).Charset))
        {
            return Errors.Problems.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType,
                "A JSON request body must be UTF-8 (charset=utf-8, or no charset).");
        }

        return next(context);
    }

    static bool IsUtf8OrAbsent(Microsoft.Extensions.Primitives.StringSegment charset)
    {
        if (!charset.HasValue)
        {
            return true;
        }

        try
        {
            return Encoding.GetEncoding(charset.Value!).CodePage == Encoding.UTF8.CodePage;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
