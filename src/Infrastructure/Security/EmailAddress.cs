using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace UserService.Infrastructure.Security;

/// <summary>
/// The one canonical spelling of an email address, used by every path that stores, compares or throttles one
/// (sign-up, sign-in and its per-account limit, PATCH, the first admin). Two spellings a person cannot tell apart
/// either get the same canonical form or are refused:
/// <list type="bullet">
/// <item>trimmed; control, format (zero-width, soft hyphen, BOM, bidi), separator, private-use, unassigned and lone
/// surrogate characters refused (not silently dropped);</item>
/// <item>NFKC (compatibility composition: fullwidth <c>ａ</c> is <c>a</c>, <c>e</c>+U+0301 is <c>é</c>);</item>
/// <item>lower case, with <c>İ</c> (U+0130) lowered to <c>i</c> as PostgreSQL's <c>lower()</c> does (.NET's
/// invariant casing leaves it);</item>
/// <item>a dot-atom local part: no quotes, no leading, trailing or double dot; ASCII <c>atext</c> or Unicode letters,
/// marks and digits;</item>
/// <item>the domain through IDNA (UTS 46, STD3 rules) and back: stored as Unicode labels, so <c>xn--exmple-cua.com</c>
/// and <c>exämple.com</c> are one domain; no IP literals, at least one dot, a TLD that is not all digits;</item>
/// <item>no label (the local part, each domain label) that mixes scripts, except Latin with Han, kana or Hangul.</item>
/// </list>
/// </summary>
internal static class EmailAddress
{
    public const int MaxLength = 254;

    public const string Invalid = "email must be a valid address of at most 254 characters.";

    public const string Invisible = "email must not contain invisible, control, format or unassigned characters.";

    public const string MixedScripts = "email must not mix scripts (such as Latin and Cyrillic) within its local part or a domain label.";

    const string AsciiAtext = "!#$%&'*+-/=?^_`{|}~";

    static readonly IdnMapping Idn = new() { AllowUnassigned = false, UseStd3AsciiRules = true };

    /// <summary>The canonical form, or null with the reason a client is told.</summary>
    public static bool TryCanonicalize(string? input, [NotNullWhen(true)] out string? canonical, out string problem)
    {
        canonical = null;
        problem = Invalid;
        if (input is null)
        {
            problem = "email is required.";
            return false;
        }

        // Spaces and tabs around it are a paste accident; any other white space or control character is refused below.
        var trimmed = input.Trim(' ', '\t');
        if (trimmed.Length is 0 or > 4 * MaxLength)
        {
            return false;
        }

        if (!HasOnlyVisibleCharacters(trimmed))
        {
            problem = Invisible;
            return false;
        }

        // NFKC can itself produce characters to refuse (U+2028 from nothing, spaces from U+00A0 is already refused);
        // lower case can leave a string that is no longer NFKC: normalise again and check it is a fixed point.
        var folded = Lower(trimmed.Normalize(NormalizationForm.FormKC)).Normalize(NormalizationForm.FormKC);
        if (!HasOnlyVisibleCharacters(folded) || Lower(folded) != folded)
        {
            problem = Invisible;
            return false;
        }

        var at = folded.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at != folded.LastIndexOf('@') || at == folded.Length - 1)
        {
            return false;
        }

        var local = folded[..at];
        if (!IsDotAtom(local) || !TryDomain(folded[(at + 1)..], out var domain))
        {
            return false;
        }

        if (MixesScripts(local) || domain.Split('.').Any(MixesScripts))
        {
            problem = MixedScripts;
            return false;
        }

        var result = $"{local}@{domain}";
        if (result.Length > MaxLength)
        {
            return false;
        }

        canonical = result;
        return true;
    }

    /// <summary>The canonical form of an address that validation accepted (the validators use the same rules).</summary>
    public static string Canonical(string email) =>
        TryCanonicalize(email, out var canonical, out var problem) ? canonical : throw new ArgumentException(problem, nameof(email));

    /// <summary>The per-account throttle key of a stored or typed address: its canonical form when it has one.</summary>
    public static string Key(string email) => TryCanonicalize(email, out var canonical, out _) ? canonical : Lower(email.Trim(' ', '\t'));

    /// <summary>
    /// What a search term is compared with the stored addresses as: a whole address in its canonical form (any spelling
    /// of it, its <c>xn--</c> domain included, finds it), any other term NFKC and in lower case.
    /// </summary>
    public static string SearchTerm(string q) => TryCanonicalize(q, out var canonical, out _) ? canonical : Lower(q.Normalize(NormalizationForm.FormKC));

    static string Lower(string s) => s.Replace("\u0130", "i", StringComparison.Ordinal).ToLowerInvariant();

    /// <summary>Well-formed UTF-16 without the categories a reader cannot see or that have no meaning yet.</summary>
    public static bool HasOnlyVisibleCharacters(string s)
    {
        var span = s.AsSpan();
        while (!span.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(span, out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.SpaceSeparator or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.Surrogate)
            {
                return false;
            }

            span = span[consumed..];
        }

        return true;
    }

    static bool IsDotAtom(string local)
    {
        if (local.StartsWith('.') || local.EndsWith('.') || local.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var rune in local.EnumerateRunes())
        {
            var ok = rune.IsAscii
                ? Rune.IsLetterOrDigit(rune) || rune.Value == '.' || AsciiAtext.Contains((char)rune.Value, StringComparison.Ordinal)
                : Rune.IsLetterOrDigit(rune) || Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark
                    or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>IDNA to ASCII and back: validates every label and gives one spelling for Unicode and punycode input.</summary>
    static bool TryDomain(string input, [NotNullWhen(true)] out string? domain)
    {
        domain = null;
        string ascii;
        try
        {
            ascii = Idn.GetAscii(input);
            domain = Lower(Idn.GetUnicode(ascii)).Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            return false;
        }

        var labels = ascii.Split('.');
        if (labels.Length < 2 || labels.Any(l => l.Length == 0) || labels[^1].All(char.IsAsciiDigit))
        {
            return false;
        }

        // Letters, marks, digits and hyphens only (UTS 46 lets symbols such as emoji through).
        return domain.EnumerateRunes().All(r => r.Value is '.' or '-' || Rune.IsLetterOrDigit(r)
            || Rune.GetUnicodeCategory(r) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark);
    }

    static bool MixesScripts(string label)
    {
        var scripts = label.EnumerateRunes().Select(Script).OfType<string>().Distinct().ToList();
        return scripts.Count > 1 && !scripts.All(s => s is "Latin" or "CJK");
    }

    /// <summary>The script of a letter, by Unicode block; null for digits, marks and punctuation (common to all).</summary>
    static string? Script(Rune rune)
    {
        if (!Rune.IsLetter(rune))
        {
            return null;
        }

        return rune.Value switch
        {
            < 0x02B0 => "Latin",
            < 0x0370 => null, // spacing modifier letters
            < 0x0400 => "Greek",
            < 0x0530 => "Cyrillic",
            < 0x0590 => "Armenian",
            < 0x0600 => "Hebrew",
            < 0x0780 => "Arabic",
            >= 0x0E00 and < 0x0E80 => "Thai",
            >= 0x10A0 and < 0x1100 => "Georgian",
            >= 0x1100 and < 0x1200 => "CJK",
            >= 0x1C80 and < 0x1C90 => "Cyrillic",
            >= 0x1D00 and < 0x1DC0 => "Latin",
            >= 0x1E00 and < 0x1F00 => "Latin",
            >= 0x1F00 and < 0x2000 => "Greek",
            >= 0x2C60 and < 0x2C80 => "Latin",
            >= 0x2DE0 and < 0x2E00 => "Cyrillic",
            >= 0x2E80 and < 0xA000 => "CJK",
            >= 0xA640 and < 0xA6A0 => "Cyrillic",
            >= 0xA720 and < 0xA800 => "Latin",
            >= 0xAB30 and < 0xAB70 => "Latin",
            >= 0xAC00 and < 0xD7B0 => "CJK",
            >= 0xF900 and < 0xFB00 => "CJK",
            >= 0xFF00 and < 0xFFF0 => "CJK",
            >= 0x20000 and < 0x32000 => "CJK",
            // Any other block counts as a script of its own (Indic scripts, one block each, and the rest).
            _ => $"U+{rune.Value >> 7:X}",
        };
    }
}
