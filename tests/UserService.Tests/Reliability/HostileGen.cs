using System.Globalization;
using System.Text;
using CsCheck;

namespace UserService.Tests.Reliability;

/// <summary>Generators of hostile input: wrong types, huge numbers, deep nesting, duplicate keys, invalid UTF-8, odd Unicode.</summary>
internal static partial class HostileGen
{
    static readonly string[] OddStrings =
    [
        "", " ", "   ", "\t", "\u0000", "a\u0000b", "\u0007", "line\nbreak", "\r\n", "\u2028", "\u2029", "\u200B", "\u202Eevil", "\uFEFF", "\u00A0",
        "\uD800", "\uDC00", "x\uD83D", "\uDE00x", "😀", "👩‍👩‍👧‍👦", "e\u0301", "Ω", "ß", "İ", "ı", "ǅ", "ＡＢＣ", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "\uFFFD", "\uFFFF", "\uFFFE",
        "null", "true", "0", "-1", "1e999", "NaN", "' OR 1=1 --", "%", "_", "\\", "\"", "\\u0000", "<script>alert(1)</script>", "${jndi:ldap://x}",
        "{{7*7}}", "../../etc/passwd", "%00", "%s%s%s", "Robert'); DROP TABLE users;--",
        // Unicode forms and invisible characters: each a spelling a reader cannot tell from a plainer one.
        "\u00AD", "\u2060", "\u2066x\u2069", "\u061C", "\U000E0041", "\u180E", "\u200D", "\u200C", "\u3000", "\uFF41", "\uFF20", "\u0430", "\u03BF",
        "\u0130", "I\u0307", "\u212A", "\u2126", "\uFB01", "\u2460", "\u00B9", "\u1E9E", "\u0085", "\u009F", "\u007F", "\uE000", "\u0378",
    ];

    static readonly string[] OddEmails =
    [
        "a@b.c", "ünïcödé-{tag}@exämple.com", "用户{tag}@例子.广告", "\"quoted {tag}\"@example.com", "a{tag}@[127.0.0.1]", "x{tag}@localhost",
        "a..{tag}@example.com", ".a{tag}@example.com", "a{tag}@example.com.", "a{tag}@-example.com", "@example.com", "a@", "a@@b.c", "a {tag}@c.d",
        "a{tag}@b c.d", "a\u0000{tag}@b.c", "a{tag}@b.c\u0000", "  a{tag}@b.c  ", "a{tag}@b.c\n", "ʜᴇʟʟᴏ{tag}@ᴇxᴀᴍᴘʟᴇ.ᴄᴏᴍ", "test+{tag}@example.com",
        "😀{tag}@😀.com", "İ{tag}@example.com", "\u212A{tag}@example.com", "{tag}\u200B@example.com", "{tag}@xn--exmple-cua.com",
        "a{tag}@b.c" + new string('x', 260), new string('a', 64) + "{tag}@" + new string('b', 170) + ".com", "\uD800{tag}@b.c", "a{tag}@\uDC00.c",
        "{tag}@example.com\u202E", "{tag}@EXAMPLE.COM", "\"\"@example.com", "{tag}@ex_ample.com", "{tag}@127.0.0.1",
        // One identity, many spellings: canonical twins (same account) and look-alikes (refused).
        "{tag}\u00AD@example.com", "\uFF41{tag}@example.com", "\u0430{tag}@example.com", "{tag}@ex\u0430mple.com", "jose\u0301{tag}@example.com",
        "jos\u00E9{tag}@example.com", "{tag}\uFF20example.com", "{tag}.@example.com", "al\u0130ce{tag}@example.com", "{tag}@xn--80ak6aa92e.com",
        "{tag}@[IPv6:::1]", "{tag}@EXA\u0308MPLE.COM", "{tag}@xn--exmple-cua.com", "{tag}\u2060@example.com", "{tag}@example.com\uFEFF",
        "\u212A{tag}@example.com", "{tag}@\uFF45xample.com", "{tag}\u3000@example.com", "{tag}@example.c\u2024om", "{tag}\u0000@example.com",
    ];

    static readonly string[] Numbers =
    [
        "0", "-0", "1", "-1", "1.5", "1e999", "-1e999", "1E+2", "123456789012345678901234567890", "9223372036854775808", "-9223372036854775809",
        "2147483648", "0.0000000000000000000000000001", "1e-999",
    ];

    static readonly string[] NotJson = ["NaN", "Infinity", "-Infinity", "0x10", "01", "1.", ".5", "+1", "-", "undefined", "'single'", "tru", "nul"];

    static readonly string[] Keys =
    [
        "email", "password", "fullName", "id", "role", "version", "createdAt", "updatedAt", "Email", "EMAIL", "FULLNAME", "full_name", "fullname",
        "", "__proto__", "$type", "$id", "passwordHash", "password_hash", "currentPassword", "ifMatch", "body", "emaıl",
    ];

    static readonly byte[][] InvalidUtf8 =
    [
        [0xFF], [0xC3, 0x28], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xF4, 0x90, 0x80, 0x80], [0x00],
    ];

    static readonly string?[] ContentTypes =
    [
        "application/json; charset=utf-8", "application/json; charset=utf-16", "application/json; charset=latin1", "application/json; charset=bogus",
        "application/json; charset=", "application/json; charset=\"utf-8\"", "text/plain", "application/xml", "multipart/form-data; boundary=x",
        "application/x-www-form-urlencoded", null, "application/problem+json", "application/vnd.api+json", "*/*", "application/json; foo=bar",
        "APPLICATION/JSON", "application/jsonx", ";;;", "application/", "application/json\u0000", "application/json, text/plain",
        "application/merge-patch+json; charset=utf-32", "application/json; charset=utf-7", "application/json; charset=UTF-7",
        "application/json; charset=\"utf-7\"", "application/json; charset=\"UTF-8\"", "application/json;charset=\"utf-8\"", "application/evil+json",
        "application/json; charset=utf-8; charset=utf-7", "text/json", "application/json; charset=ibm037", "application/json; charset=x-user-defined",
        "application/json; charset=\"\"", "application/json; charset=\"utf-8", "application/merge-patch+json; charset=\"utf-8\"", "application/x-json",
    ];

    static readonly string[] IfMatches =
    [
        "*", "\"1\"", "\"2\"", "W/\"1\"", "\"\"", "\"abc\"", "\"-1\"", "\"99999999999999999999\"", "\"1\", \"2\"", ",,,", "\"1", "1", "garbage",
        "*, \"1\"", "\"\\u0000\"", "\"1\"\u0000", string.Join(", ", Enumerable.Range(0, 2000).Select(i => $"\"{i}\"")), "\"😀\"", " ", "W/*",
    ];

    static readonly string[] Accepts =
    [
        "text/html", "application/xml", "*/*", "application/json", "text/plain;q=0", "application/problem+json", "image/png", "",
        "application/json;q=0", "*/*;q=0", "text/*", "garbage;;;", "application/json; charset=utf-16",
    ];

    static readonly string[] OddIds =
    [
        "not-a-uuid", "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", "{00000000-0000-0000-0000-000000000001}",
        "%2e%2e", "..", "ünï", "%F0%9F%98%80", "1;DROP TABLE users", "%FF%FE", "0193a3b4-xxxx-7000-8000-000000000000", "%20",
        "00000000000000000000000000000000", "(00000000-0000-0000-0000-000000000000)", "-1", "9999999999999999999999",
    ];

    static Gen<T> Just<T>(T value)
    {
        var constant = value;
        return Gen.Const(constant);
    }

    static string Tag() => Guid.NewGuid().ToString("N")[..10];

    static Gen<string> Chars(char first, char last, int min, int max) => Gen.Char[first, last].Array[min, max].Select(a => new string(a));

    /// <summary>Strings nobody should send: control characters, lone surrogates, odd Unicode, very long ones.</summary>
    public static readonly Gen<string> Text = Gen.Frequency(
        (5, Gen.OneOf(OddStrings)),
        (4, Chars(' ', '~', 0, 30)),
        (2, Chars('\u0000', '\u001F', 1, 8)),
        (3, Chars('\u0080', '\uFFFF', 1, 20)),
        (1, Gen.Int[100, 70_000].Select(n => new string('x', n))),
        (1, Gen.Int[195, 260].Select(n => new string('é', n))),
        (2, Gen.Select(Gen.OneOf(OddStrings), Chars(' ', '~', 1, 10), Gen.OneOf(OddStrings), (a, b, c) => a + b + c)));

    static readonly Gen<string> Email = Gen.Frequency(
        (4, Gen.OneOf(OddEmails).Select(e => e.Replace("{tag}", Tag(), StringComparison.Ordinal))),
        (2, Text),
        (2, Gen.Select(Text, Text, (local, host) => $"{local}@{host}")),
        (1, Gen.Select(Text, (local) => $"{local}{Tag()}@example.com")));

    static readonly Gen<string> Password = Gen.Frequency(
        (4, Text),
        (2, Gen.Int[0, 200].Select(n => new string('p', n))),
        (1, Gen.Select(Chars('\u0000', '\uFFFF', 12, 20), p => p)));

    /// <summary>A JSON string literal: every non-ASCII character escaped (lone surrogates too), or written raw.</summary>
    static readonly Gen<Func<string, string>> Quoting = Gen.Frequency(
        (3, Just<Func<string, string>>(s => Quote(s, escapeAll: true))),
        (2, Just<Func<string, string>>(s => Quote(s, escapeAll: false))),
        (1, Just<Func<string, string>>(s => $"\"{s}\"")));

    static string Quote(string s, bool escapeAll)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in s)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                < ' ' => $"\\u{(int)c:x4}",
                _ when escapeAll && c > '~' => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return sb.Append('"').ToString();
    }

    static Gen<string> Literal(Gen<string> strings) => Gen.Select(strings, Quoting, (s, quote) => quote(s));

    static readonly Gen<string> Leaf = Gen.Frequency(
        (4, Literal(Text)),
        (2, Gen.OneOf(Numbers)),
        (1, Gen.OneOf("null", "true", "false")),
        (1, Gen.OneOf(NotJson)),
        (1, Gen.Long.Select(l => l.ToString(CultureInfo.InvariantCulture))),
        (1, Gen.Double.Select(d => d.ToString("R", CultureInfo.InvariantCulture))));

    static Gen<string> Value(int depth) => depth == 0
        ? Leaf
        : Gen.Frequency(
            (5, Leaf),
            (1, Value(depth - 1).Array[0, 4].Select(items => $"[{string.Join(",", items)}]")),
            (1, Object(Value(depth - 1))));

    static Gen<string> Object(Gen<string> values) =>
        Gen.Select(Gen.Frequency((6, Gen.OneOf(Keys)), (1, Text)), values).Array[0, 5]
            .Select(members => "{" + string.Join(",", members.Select(m => $"{Quote(m.Item1, escapeAll: true)}:{m.Item2}")) + "}");

    /// <summary>One user field: absent (null), a string, or a value of the wrong type.</summary>
    static Gen<string?> Field(string name, Gen<string> strings) => Gen.Frequency(
        (1, Just<string?>(null)),
        (6, Literal(strings).Select(v => (string?)$"\"{name}\":{v}")),
        (2, Value(2).Select(v => (string?)$"\"{name}\":{v}")));

    /// <summary>A user object (Create or Update), with extra, duplicate and case-twisted keys now and then.</summary>
    public static readonly Gen<string> UserObject = Gen.Select(
        Field("email", Email), Field("password", Password), Field("fullName", Text),
        Gen.Frequency((6, Gen.Const("")), (1, Object(Value(1)).Select(o => o.Length > 2 ? o[1..^1] : ""))),
        Gen.Frequency((6, Gen.Const("")), (1, Field("email", Email).Select(f => f ?? "")), (1, Field("Email", Email).Select(f => f ?? "")), (1, Field("fullName", Text).Select(f => f ?? ""))),
        (email, password, fullName, extra, duplicate) =>
            "{" + string.Join(",", new[] { email, password, fullName, extra, duplicate }.Where(f => !string.IsNullOrEmpty(f))) + "}");

    static Gen<string> Nesting(string member) => Gen.Select(Gen.Int[1, 30_000], Gen.OneOf("[", "{\"a\":"), Gen.Bool, (depth, open, closed) =>
    {
        var close = open == "[" ? "]" : "}";
        return $"{{\"{member}\":" + string.Concat(Enumerable.Repeat(open, depth)) + "1" + (closed ? string.Concat(Enumerable.Repeat(close, depth)) : "") + "}";
    });

    static readonly Gen<Func<byte[], byte[]>> Mutation = Gen.Frequency(
        (10, Just<Func<byte[], byte[]>>(b => b)),
        (2, Gen.Select(Gen.Double[0, 1], Gen.OneOf(InvalidUtf8), (at, bad) => (Func<byte[], byte[]>)(b => [.. b[..(int)(b.Length * at)], .. bad, .. b[(int)(b.Length * at)..]]))),
        (1, Gen.Double[0, 1].Select(at => (Func<byte[], byte[]>)(b => b[..(int)(b.Length * at)]))),
        (1, Just<Func<byte[], byte[]>>(b => [0xEF, 0xBB, 0xBF, .. b])),
        (1, Gen.Byte.Array[1, 64].Select(junk => (Func<byte[], byte[]>)(b => [.. b, .. junk]))),
        (1, Gen.Int[65_000, 70_000].Select(size => (Func<byte[], byte[]>)(b => [.. b, .. Encoding.ASCII.GetBytes(new string(' ', size))]))));

    /// <summary>A body: mostly a user object, sometimes any JSON, deep nesting or raw bytes; then maybe mangled.</summary>
    public static readonly Gen<byte[]> Body = Gen.Select(
        Gen.Frequency(
            (8, UserObject.Select(Encoding.UTF8.GetBytes)),
            (2, Value(3).Select(Encoding.UTF8.GetBytes)),
            (1, Nesting("fullName").Select(Encoding.UTF8.GetBytes)),
            (1, Gen.Byte.Array[0, 300])),
        Mutation,
        (body, mutate) => mutate(body));

    public static readonly Gen<string?> ContentType = Gen.Frequency(
        (10, Just<string?>("application/json")),
        (3, Just<string?>("application/merge-patch+json")),
        (3, Gen.OneOf(ContentTypes)));

    static readonly Gen<(string, string)> Header = Gen.Frequency(
        (4, Gen.Frequency((4, Gen.OneOf(IfMatches)), (1, Text)).Select(v => ("If-Match", v))),
        (2, Gen.OneOf(Accepts).Select(v => ("Accept", v))),
        (1, Text.Select(v => ("Accept-Language", v))),
        (1, Text.Select(v => ("X-Forwarded-For", v))),
        (1, Gen.Int[1_000, 20_000].Select(n => ("X-Padding", new string('h', n)))),
        (1, Gen.OneOf("gzip", "br", "identity;q=0", "*").Select(v => ("Accept-Encoding", v))));

    public static readonly Gen<(string, string)[]> Headers = Header.Array[0, 3];
}
