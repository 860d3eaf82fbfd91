using System.Buffers;
using System.Net.Mail;
using System.Text;
using FluentValidation;

namespace UserService.Features.Users;

/// <summary>The validation rules of DESIGN.md for the fields that Create and Update share.</summary>
internal static class UserRules
{
    public const int EmailMaxLength = 254;
    public const int PasswordMinLength = 12;
    public const int PasswordMaxLength = 128;
    public const int FullNameMaxLength = 200;

    public static IRuleBuilderOptions<T, string?> ValidEmail<T>(this IRuleBuilderInitial<T, string?> rule) =>
        rule.Cascade(CascadeMode.Stop).NotNull().WithMessage("email is required.")
            .Must(e => IsValidEmail(e!.Trim())).WithMessage($"email must be a valid address of at most {EmailMaxLength} characters.");

    public static IRuleBuilderOptions<T, string?> ValidPassword<T>(this IRuleBuilderInitial<T, string?> rule) =>
        rule.Cascade(CascadeMode.Stop).NotNull().WithMessage("password is required.")
            .Must(p => p!.Length is >= PasswordMinLength and <= PasswordMaxLength && IsWellFormed(p))
            .WithMessage($"password must be {PasswordMinLength} to {PasswordMaxLength} characters.");

    public static IRuleBuilderOptions<T, string?> ValidFullName<T>(this IRuleBuilderInitial<T, string?> rule) =>
        rule.Cascade(CascadeMode.Stop).NotNull().WithMessage("fullName is required.")
            .Must(n => n!.Trim().Length is >= 1 and <= FullNameMaxLength).WithMessage($"fullName must be 1 to {FullNameMaxLength} characters after trimming.")
            .Must(n => IsPlainText(n!)).WithMessage("fullName must not contain control characters.");

    public static bool IsValidEmail(string email) =>
        email.Length is > 0 and <= EmailMaxLength
        && IsPlainText(email)
        && !email.Any(char.IsWhiteSpace)
        && MailAddress.TryCreate(email, out var address)
        && address.Address == email
        && address.Host.Contains('.', StringComparison.Ordinal)
        && !address.Host.StartsWith('.') && !address.Host.EndsWith('.');

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
