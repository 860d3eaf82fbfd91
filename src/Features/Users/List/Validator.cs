using FastEndpoints;
using FluentValidation;

namespace UserService.Features.Users.List;

internal sealed class Validator : Validator<Request>
{
    public const int MaxLimit = 200;
    public const int MaxQueryLength = 200;

    public Validator()
    {
        RuleFor(x => x.Limit).InclusiveBetween(1, MaxLimit).WithMessage($"limit must be between 1 and {MaxLimit}.");
        // Validators are singletons: the cursor codec (a singleton too) is resolved inside the rule.
        RuleFor(x => x.Cursor).Must(c => Resolve<Cursor>().TryDecode(c, out _)).When(x => x.Cursor is not null)
            .WithMessage("cursor is not one this service issued.");
        // No stored email or name holds an invisible or unassigned character (and normalisation refuses some): such a q is refused.
        RuleFor(x => x.Q).Must(q => q!.Length <= MaxQueryLength && UserRules.IsPlainText(q) && !UserRules.HasInvisibleCharacters(q)).When(x => x.Q is not null)
            .WithMessage($"q must be at most {MaxQueryLength} characters without control, format or unassigned characters.");
    }
}
