using System.Text;
using System.Text.Json;

namespace UserService.Tests.Support;

public static class Json
{
    /// <summary>A raw body, for what the typed helpers cannot send: malformed JSON, wrong types, odd media types.</summary>
    public static StringContent Body(string json, string mediaType = "application/json") => new(json, Encoding.UTF8, mediaType);

    /// <summary>A typed body (a request DTO of the service), written as a client of the service would: camelCase, UTF-8.</summary>
    public static StringContent Of<T>(T value, string mediaType = "application/json") => Body(JsonSerializer.Serialize(value, JsonSerializerOptions.Web), mediaType);
}
