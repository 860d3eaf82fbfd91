using FastEndpoints;
using FluentValidation;

namespace UserService.Features.Users.Update;

internal sealed class Validator : Validator<Request>
{
    public Validator()
    {
        RuleFor(x => x.Body).NotNull().WithMessage("The body must be a JSON object.").OverridePropertyName("body");
        When(x => x.Body is not null, () =>
        {
            RuleFor(x => x.Body!.Email).ValidEmail().When(x => x.Body!.HasEmail).OverridePropertyName("email");
            RuleFor(x => x.Body!.FullName).ValidFullName().When(x => x.Body!.HasFullName).OverridePropertyName("fullName");
            RuleFor(x => x.Body!.Password).ValidPassword().When(x => x.Body!.HasPassword).OverridePropertyName("password");
            RuleFor(x => x.Body!.Role).Must(r => r is Caller.User or Caller.Admin).When(x => x.Body!.HasRole)
                .OverridePropertyName("role").WithMessage("role must be \"user\" or \"admin\".");
        });
    }
}
