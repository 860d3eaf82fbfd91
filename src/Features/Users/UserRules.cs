using System.Buffers;
using System.Text;
using FluentValidation;

namespace UserService.Features.Users;

/// <summary>The validation rules of the fields that Create and Update share (docs/http-contract.md, "Writing a user").</summary>
internal static class UserRules
{
    public const int PasswordMinLength = 12;
    public const int PasswordMaxLength = 128;
    public const int FullNameMaxLength = 200;

    public static IRuleBuilderOptions<T, string?> ValidEmail<T>(this IRuleBuilderInitial<T, string?> rule) =>
        rule.Cascade(CascadeMode.Stop).NotNull().WithMessage("email is required.").CanonicalEmail();

    /// <summary>Valid when <see cref="EmailAddress"/> has a canonical form for it; the message says what is wrong.</summary>
    public static IRuleBuilderOptions<T, string?> CanonicalEmail<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(e => EmailAddress.TryCanonicalize(e, out _, out _))
            .WithMessage((_, e) => EmailAddress.TryCanonicalize(e, out var _, out var problem) ? "" : problem);

    public static IRuleBuilderOptions<T, string?> ValidPassword<T>(this IRuleBuilderInitial<T, string?> rule) =>
        rule.Cascade(CascadeMode.Stop).NotNull().WithMessage("password is required.")
            .Must(p => p!.Length is >= PasswordMinLength and <= PasswordMaxLength && IsWellFormed(p))
            .WithMessage($"password must be {PasswordMinLength} to {PasswordMaxLength} characters.");

    public static IRuleBuilderOptions<T, string?> ValidFullName<T>(this IRuleBuilderInitial<T, string?> rule) =>
        rule.Cascade(CascadeMode.Stop).NotNull().WithMessage("fullName is required.")
            .Must(n => IsPlainText(n!) && !HasInvisibleCharacters(n!))
            .WithMessage("fullName must not contain control, zero-width, bidirectional-override or unassigned characters.")
            .Must(n => CanonicalFullName(n!).Length is >= 1 and <= FullNameMaxLength).WithMessage($"fullName must be 1 to {FullNameMaxLength} characters after trimming.");

    /// <summary>What is stored for a valid fullName: trimmed, NFC (one spelling for composed and decomposed accents).</summary>
    public static string CanonicalFullName(string fullName) => fullName.Trim().Normalize(NormalizationForm.FormC);

    /// <summary>
    /// Format characters (zero-width, soft hyphen, BOM, bidi embeddings, overrides and isolates, tags), and unassigned
    /// code points and noncharacters (U+FFFE), which nothing renders and Unicode normalisation refuses.
    /// </summary>
    public static bool HasInvisibleCharacters(string text) =>
        text.EnumerateRunes().Any(r => Rune.GetUnicodeCategory(r) is System.Globalization.UnicodeCategory.Format
            or System.Globalization.UnicodeCategory.OtherNotAssigned);

    /// <summary>Well-formed UTF-16 (no lone surrogates) without control or line-separator characters.</summary>
    public static bool IsPlainText(string text) =>
        IsWellFormed(text) && !text.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029');

    /// <summary>PostgreSQL stores UTF-8, which cannot encode a lone surrogate.</summary>
    public static bool IsWellFormed(string text)
    {
        var span = text.AsSpan();
        while (!span.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(span, out _, out var consumed) != OperationStatus.Done)
            {
                return false;
            }

            span = span[consumed..];
        }

        return true;
    }
}
