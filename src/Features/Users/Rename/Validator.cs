using FastEndpoints;

namespace UserService.Features.Users.Rename;

internal sealed class Validator : Validator<Request>
{
    public Validator() => RuleFor(x => x.FullName).ValidFullName();
}
