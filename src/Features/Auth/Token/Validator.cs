using FastEndpoints;
using FluentValidation;
using UserService.Features.Users;

namespace UserService.Features.Auth.Token;

/// <summary>
/// Shape only: any other check would tell which emails exist. The email must have a canonical form (the one every
/// account is stored and throttled under), so no spelling reaches the database or the limiter in another form.
/// </summary>
internal sealed class Validator : Validator<Request>
{
    public Validator()
    {
        RuleFor(x => x.Email).Cascade(CascadeMode.Stop).NotEmpty().WithMessage("email is required.")
            .MaximumLength(4 * EmailAddress.MaxLength).WithMessage(EmailAddress.Invalid).CanonicalEmail();
        RuleFor(x => x.Password).Cascade(CascadeMode.Stop).NotEmpty().WithMessage("password is required.").MaximumLength(1024)
            .Must(p => UserRules.IsWellFormed(p!)).WithMessage("password must be valid Unicode text.");
    }
}
