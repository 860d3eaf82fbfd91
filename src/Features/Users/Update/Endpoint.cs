using FastEndpoints;
using FluentValidation.Results;
using Microsoft.AspNetCore.Identity;
using Npgsql;

namespace UserService.Features.Users.Update;

internal sealed class Endpoint(NpgsqlDataSource db, Passwords passwords, SecurityStamps stamps, SignInThrottle throttle) : Endpoint<Request, UserResponse>
{
    public override void Configure()
    {
        Patch("users/{id:guid}");
        Description(b => b.WithName("UpdateUser")
            .Accepts<Patch>("application/json", "application/merge-patch+json")
            .WithMetadata(UserAnswers.ETagHeader(StatusCodes.Status200OK)));
        Summary(s =>
        {
            s.Summary = "Change a user (JSON merge patch)";
            s.Description = "Changes any of `email`, `fullName`, `password` (and `role`, admins only: 403 otherwise); absent " +
                            "fields stay as they are. Changing your own password needs `currentPassword`, checked under the " +
                            "account's sign-in limit (429 with `Retry-After`). Users may change " +
                            "only themselves, admins anyone; any other id answers 404. With `If-Match`, the change applies " +
                            "only if the ETag is current (412 otherwise). Answers the user with its new `ETag`.";
            s.Response<UserResponse>(StatusCodes.Status200OK, "The changed user, with its new `ETag`.");
            s.Response(StatusCodes.Status403Forbidden, "Only an admin may change a role.");
            s.Response(StatusCodes.Status404NotFound, UserAnswers.NotFoundDescription);
            s.Response(StatusCodes.Status409Conflict, UserAnswers.EmailTakenDescription);
            s.Response(StatusCodes.Status412PreconditionFailed, UserAnswers.PreconditionFailedDescription);
            s.Response(StatusCodes.Status429TooManyRequests, "Too many password checks for this account (the sign-in limit); retry after `Retry-After` seconds.");
        });
    }

    public override async Task HandleAsync(Request req, CancellationToken ct)
    {
        var patch = req.Body!;
        if (!User.MayAccess(req.Id))
        {
            await Send.NoSuchUserAsync();
            return;
        }

        if (patch.HasRole && !User.IsAdmin())
        {
            await Send.ResultAsync(Problems.Result(StatusCodes.Status403Forbidden, "Only an admin may change a role."));
            return;
        }

        if (patch.HasPassword && User.UserId() == req.Id)
        {
            if (!await CheckCurrentPasswordAsync(req.Id, patch.CurrentPassword, ct))
            {
                return;
            }
        }

        var changes = new Data.Changes(
            req.Id,
            EntityTags.ParseIfMatch(req.IfMatch),
            patch.HasEmail ? patch.Email : null,
            patch.HasFullName ? patch.FullName : null,
            patch.HasPassword ? await passwords.HashAsync(patch.Password!, ct) : null,
            patch.HasRole ? patch.Role : null);

        var (outcome, user) = await Data.UpdateAsync(db, changes, ct);
        switch (outcome)
        {
            case Data.Outcome.Updated:
                if (changes.PasswordHash is not null || changes.Role is not null)
                {
                    // The trigger tells every instance; this one forgets at once, before it answers.
                    stamps.Forget(req.Id);
                }

                await Send.UserAsync(user!, ct);
                break;
            case Data.Outcome.EmailTaken:
                ThrowError(UserAnswers.EmailTaken, StatusCodes.Status409Conflict);
                break;
            case Data.Outcome.PreconditionFailed:
                await Send.StaleETagAsync();
                break;
            default:
                await Send.NoSuchUserAsync();
                break;
        }
    }

    /// <summary>False when the answer (429) is already sent: a password check is throttled per account like sign-in.</summary>
    async Task<bool> CheckCurrentPasswordAsync(Guid id, string? currentPassword, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(currentPassword))
        {
            ThrowError(new ValidationFailure("currentPassword", "currentPassword is required to change your own password."));
        }

        // The same bucket as signing in to this account: a stolen token adds no guesses.
        var email = await Data.EmailAsync(db, id, ct);
        if (email is not null && !await throttle.AdmitAccountAsync(HttpContext, email, ct))
        {
            return false;
        }

        var hash = await Data.PasswordHashAsync(db, id, ct);
        if (await passwords.VerifyOrBurnAsync(hash, currentPassword, ct) == PasswordVerificationResult.Failed)
        {
            ThrowError(new ValidationFailure("currentPassword", "currentPassword is incorrect."));
        }

        return true;
    }
}
