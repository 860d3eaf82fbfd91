using FastEndpoints;
using FluentValidation;

namespace UserService.Features.Users.Create;

internal sealed class Validator : Validator<Request>
{
    public Validator()
    {
        RuleFor(x => x.Email).ValidEmail();
        RuleFor(x => x.Password).ValidPassword();
        RuleFor(x => x.FullName).ValidFullName();
    }
}
