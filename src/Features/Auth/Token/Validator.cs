using FastEndpoints;
using FluentValidation;

namespace UserService.Features.Auth.Token;

/// <summary>Shape only: any other check would tell which emails exist.</summary>
internal sealed class Validator : Validator<Request>
{
    public Validator()
    {
        RuleFor(x => x.Email).NotEmpty().WithMessage("email is required.").MaximumLength(254);
        RuleFor(x => x.Password).NotEmpty().WithMessage("password is required.").MaximumLength(1024);
    }
}
