using FastEndpoints;
using FluentValidation;

namespace UserService.Features.Auth.Refresh;

/// <summary>
/// Presence only: any string is hashed and looked up, so a malformed token gets the very 401 of an unknown, expired or
/// revoked one, and nothing in the answer tells them apart.
/// </summary>
internal sealed class Validator : Validator<Request>
{
    public Validator() => RuleFor(x => x.RefreshToken).NotNull().WithMessage("refreshToken is required.");
}
