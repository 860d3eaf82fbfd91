using System.Globalization;
using System.Text;
using CsCheck;

namespace UserService.Tests.Reliability;

/// <summary>Generators of ids, query strings and sign-in bodies: where a request aims and what it binds from.</summary>
internal static partial class HostileGen
{
    public static readonly Gen<string> Id = Gen.Frequency(
        (5, Gen.Const(HostileRequest.Fixture)),
        (3, Gen.Guid.Select(g => g.ToString())),
        (1, Gen.Guid.Select(g => g.ToString().ToUpperInvariant())),
        (2, Gen.OneOf(OddIds)),
        (1, Gen.Int[300, 5_000].Select(n => new string('9', n))));

    static readonly Gen<string> QueryValue = Gen.Frequency(
        (3, Gen.OneOf(Numbers)),
        (1, Gen.OneOf(NotJson)),
        (4, Text.Select(t => Uri.EscapeDataString(t.Length > 3000 ? t[..3000] : t))),
        (2, Gen.OneOf("%", "%zz", "%C3%28", "%00", "%ED%A0%80", "%FF", "%F0%9F%98", "+", "&", "=", "%26", "%3D", "%0D%0AX-Injected:%201")),
        (1, Chars('A', 'z', 0, 80)));

    /// <summary>
    /// Parameters that belong elsewhere, in the query string of a by-id route: an id (the route's), an If-Match (a
    /// header), list parameters. None may change what the route, the header or the body say.
    /// </summary>
    public static readonly Gen<string> BindingQuery = Gen.Frequency(
        (4, Gen.Const("")),
        (2, Gen.Guid.Select(g => $"?id={g}")),
        (1, Gen.Guid.Select(g => $"?Id={g}&ID={g}")),
        (1, Gen.OneOf("?ifMatch=%2299%22", "?IfMatch=%22*%22", "?if-match=%221%22", "?limit=1&q=x", "?role=admin", "?email=a%40b.c", "?body=%7B%7D")));

    /// <summary>A sign-in body: the email and password fields with every kind of odd text, control characters included.</summary>
    public static readonly Gen<byte[]> SignInBody = Gen.Select(
        Gen.Select(Field("email", Email), Field("password", Password),
            Gen.Frequency((6, Gen.Const("")), (1, Object(Value(1)).Select(o => o.Length > 2 ? o[1..^1] : ""))),
            (email, password, extra) => "{" + string.Join(",", new[] { email, password, extra }.Where(f => !string.IsNullOrEmpty(f))) + "}")
            .Select(Encoding.UTF8.GetBytes),
        Mutation,
        (body, mutate) => mutate(body));

    /// <summary>A refresh or sign-out body: <c>refreshToken</c> with every kind of odd text or a value of the wrong type.</summary>
    public static readonly Gen<byte[]> RefreshBody = Gen.Select(
        Gen.Select(Field("refreshToken", Text),
            Gen.Frequency((6, Gen.Const("")), (1, Object(Value(1)).Select(o => o.Length > 2 ? o[1..^1] : ""))),
            (token, extra) => "{" + string.Join(",", new[] { token, extra }.Where(f => !string.IsNullOrEmpty(f))) + "}")
            .Select(Encoding.UTF8.GetBytes),
        Mutation,
        (body, mutate) => mutate(body));

    /// <summary>A list query string: limit, cursor and q with odd values, odd casing, repeats and strangers.</summary>
    public static readonly Gen<string> Query = Gen.Select(
            Gen.Frequency((5, Gen.OneOf("limit", "cursor", "q")), (1, Gen.OneOf("LIMIT", "Limit", "Q", "foo", "", "limit[]", "cursor[0]", "q%00"))),
            QueryValue)
        .Array[0, 5]
        .Select(pairs => pairs.Length == 0 ? "" : "?" + string.Join("&", pairs.Select(p => $"{p.Item1}={p.Item2}")));
}
