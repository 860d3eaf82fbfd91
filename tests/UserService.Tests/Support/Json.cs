using System.Text;

namespace UserService.Tests.Support;

public static class Json
{
    /// <summary>A raw body, for what the typed helpers cannot send: malformed JSON, wrong types, odd media types.</summary>
    public static StringContent Body(string json, string mediaType = "application/json") => new(json, Encoding.UTF8, mediaType);
}
