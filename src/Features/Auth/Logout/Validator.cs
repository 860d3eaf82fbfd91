using FastEndpoints;
using FluentValidation;

namespace UserService.Features.Auth.Logout;

/// <summary>Presence only: signing out with a token that matches nothing is a 204 like any other.</summary>
internal sealed class Validator : Validator<Request>
{
    public Validator() => RuleFor(x => x.RefreshToken).NotNull().WithMessage("refreshToken is required.");
}
