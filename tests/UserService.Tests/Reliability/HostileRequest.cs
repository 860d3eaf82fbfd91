using System.Text;

namespace UserService.Tests.Reliability;

/// <summary>
/// A request as an attacker or a broken client would write it. <c>{fixture}</c> in the target stands for the id of a
/// user that exists when the request is sent.
/// </summary>
internal sealed record HostileRequest(string Method, string Target, byte[]? Body, string? ContentType, (string Name, string Value)[] Headers)
{
    public const string Fixture = "{fixture}";

    public HttpRequestMessage ToMessage(Guid fixture)
    {
        var message = new HttpRequestMessage(new HttpMethod(Method), Target.Replace(Fixture, fixture.ToString(), StringComparison.Ordinal));
        if (Body is not null)
        {
            message.Content = new ByteArrayContent(Body);
            message.Content.Headers.Remove("Content-Type");
            if (ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }
        }

        foreach (var (name, value) in Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        return message;
    }

    public override string ToString()
    {
        var body = Body is null ? "(no body)" : Escape(Encoding.UTF8.GetString(Body));
        return $"{Method} {Escape(Target)} [{ContentType ?? "no content type"}] {string.Join(" ", Headers.Select(h => $"{h.Name}: {Escape(h.Value)}"))} " +
               $"{Body?.Length ?? 0} bytes: {(body.Length > 400 ? body[..400] + "…" : body)}";
    }

    static string Escape(string s) => string.Concat(s.Select(c => c < 0x20 || c is >= '\u007f' and <= '\u00a0' || char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : c.ToString()));
}
