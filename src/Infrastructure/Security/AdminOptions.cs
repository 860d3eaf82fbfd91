using Microsoft.Extensions.Options;

namespace UserService.Infrastructure.Security;

/// <summary>Bound from the <c>Admin</c> section: the first admin, created at startup when no admin exists.</summary>
internal sealed class AdminOptions
{
    public const string Section = "Admin";

    public string? Email { get; set; }

    public string? Password { get; set; }

    /// <summary>Both set (an empty value counts as unset, as compose.yaml passes them through empty).</summary>
    public bool IsSet => !string.IsNullOrWhiteSpace(Email) && !string.IsNullOrEmpty(Password);

    /// <summary>A rule with a message of its own (what is wrong with the address), which <c>Validate(...)</c> cannot give.</summary>
    internal sealed class Validator : IValidateOptions<AdminOptions>
    {
        public ValidateOptionsResult Validate(string? name, AdminOptions options)
        {
            if (string.IsNullOrWhiteSpace(options.Email) != string.IsNullOrEmpty(options.Password))
            {
                return ValidateOptionsResult.Fail("Admin: Email and Password (env Admin__Email, Admin__Password) must be set together, or neither.");
            }

            return options.IsSet && !EmailAddress.TryCanonicalize(options.Email!, out _, out var problem)
                ? ValidateOptionsResult.Fail($"Admin:Email (env Admin__Email) is not a usable address: {problem}")
                : ValidateOptionsResult.Success;
        }
    }
}
