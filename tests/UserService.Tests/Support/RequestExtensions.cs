namespace UserService.Tests.Support;

internal static class RequestExtensions
{
    /// <summary>Sends with the bearer token of another client (the shared admin), from a client without defaults.</summary>
    public static HttpRequestMessage WithBearerOf(this HttpRequestMessage request, HttpClient client)
    {
        request.Headers.Authorization = client.DefaultRequestHeaders.Authorization;
        return request;
    }
}
