using Microsoft.AspNetCore.Http.Features;

namespace UserService.Infrastructure.Http;

/// <summary>
/// HEAD wherever GET is served (RFC 9110 section 9.3.2): the request runs as the GET it mirrors, with the same status
/// and headers, and the body goes nowhere. A startup filter, so it runs before routing picks an endpoint; where a
/// route has no GET, the answer is the GET's 405 (or 404).
/// </summary>
internal sealed class HeadAsGet : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            if (HttpMethods.IsHead(context.Request.Method))
            {
                context.Request.Method = HttpMethods.Get;
                var body = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
                context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null, body));
            }

            return nextMiddleware(context);
        });
        next(app);
    };
}
