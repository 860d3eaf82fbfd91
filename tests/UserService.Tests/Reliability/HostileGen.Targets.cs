using System.Globalization;
using System.Text;
using CsCheck;

namespace UserService.Tests.Reliability;

/// <summary>Generators of ids, query strings and bodies shaped by a request type: where a request aims and what it binds from.</summary>
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

    /// <summary>
    /// A body for a request whose JSON members are <paramref name="fields"/> (read from the request type): mostly an
    /// object of those members, each absent, odd text or the wrong type, with strangers and repeats now and then;
    /// sometimes any JSON, deep nesting or raw bytes; then maybe mangled.
    /// </summary>
    public static Gen<byte[]> BodyOf(IReadOnlyList<string> fields) => Gen.Select(
        Gen.Frequency(
            (8, ObjectOf(fields).Select(Encoding.UTF8.GetBytes)),
            (2, Value(3).Select(Encoding.UTF8.GetBytes)),
            (1, Nesting(fields[0]).Select(Encoding.UTF8.GetBytes)),
            (1, Gen.Byte.Array[0, 300])),
        Mutation,
        (body, mutate) => mutate(body));

    static Gen<string> ObjectOf(IReadOnlyList<string> fields)
    {
        // Emails and passwords get the odd values made for them; every other member any odd text.
        Gen<string?> FieldOf(string name) => Field(name,
            name.Contains("email", StringComparison.OrdinalIgnoreCase) ? Email
            : name.Contains("password", StringComparison.OrdinalIgnoreCase) ? Password
            : Text);

        var members = fields.Aggregate(Gen.Const(Array.Empty<string?>()), (all, name) => Gen.Select(all, FieldOf(name), (a, f) => (string?[])[.. a, f]));
        var twins = fields.SelectMany(f => new[] { FieldOf(f), FieldOf(char.ToUpperInvariant(f[0]) + f[1..]) }).ToArray();
        return Gen.Select(
            members,
            Gen.Frequency((6, Gen.Const("")), (1, Object(Value(1)).Select(o => o.Length > 2 ? o[1..^1] : ""))),
            Gen.Frequency((6, Gen.Const("")), (3, Gen.OneOf(twins).Select(f => f ?? ""))),
            (all, extra, duplicate) => "{" + string.Join(",", all.Append(extra).Append(duplicate).Where(f => !string.IsNullOrEmpty(f))) + "}");
    }

    /// <summary>A query string of the request's own parameters: odd values, odd casing, repeats and strangers.</summary>
    public static Gen<string> QueryOf(IReadOnlyList<string> names) => Gen.Select(
            Gen.Frequency(
                (5, Gen.OneOf(names.ToArray())),
                (1, Gen.OneOf([.. names.SelectMany(n => new[] { n.ToUpperInvariant(), char.ToUpperInvariant(n[0]) + n[1..], n + "[]", n + "[0]", n + "%00" }), "foo", ""]))),
            QueryValue)
        .Array[0, 5]
        .Select(pairs => pairs.Length == 0 ? "" : "?" + string.Join("&", pairs.Select(p => $"{p.Item1}={p.Item2}")));
}
