namespace UserService.Infrastructure.Http;

/// <summary>
/// Every answer under <c>/api</c> carries tokens, a user's data or an error about them: <c>Cache-Control: no-store</c>,
/// so that no cache, shared or private, keeps one (RFC 9111; RFC 6749 section 5.1 for token answers). Set as the
/// answer starts, unless the endpoint set its own. The service answers no conditional GET, so nothing is lost.
/// </summary>
internal sealed class NoStore(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments(ApiExtensions.BasePath))
        {
            context.Response.OnStarting(static state =>
            {
                var response = (HttpResponse)state;
                if (string.IsNullOrEmpty(response.Headers.CacheControl))
                {
                    response.Headers.CacheControl = "no-store";
                }

                return Task.CompletedTask;
            }, context.Response);
        }

        return next(context);
    }
}
