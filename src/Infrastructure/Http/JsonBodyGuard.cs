namespace UserService.Infrastructure.Http;

/// <summary>
/// Answers 413 and 415 for <c>/api</c> writes before any binding runs, so a form post or an oversized body
/// never reaches an endpoint. Kestrel enforces the same size limit on chunked bodies as they stream in.
/// </summary>
internal sealed class JsonBodyGuard(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!request.Path.StartsWithSegments("/api") || !(HttpMethods.IsPost(request.Method) || HttpMethods.IsPatch(request.Method) || HttpMethods.IsPut(request.Method)))
        {
            return next(context);
        }

        if (request.ContentLength > HttpLimitsExtensions.MaxBodyBytes)
        {
            return Errors.Problems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge,
                $"The request body is larger than {HttpLimitsExtensions.MaxBodyBytes} bytes.");
        }

        if (!request.HasJsonContentType())
        {
            return Errors.Problems.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType,
                "The request body must be JSON (application/json or application/merge-patch+json).");
        }

        return next(context);
    }
}
