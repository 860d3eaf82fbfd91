using FastEndpoints;
using Npgsql;

namespace UserService.Features.Users.Update;

internal sealed class Endpoint(NpgsqlDataSource db, Passwords passwords) : Endpoint<Request, UserResponse>
{
    public override void Configure()
    {
        Patch("users/{id:guid}");
        AllowAnonymous();
        Description(b => b.WithName("UpdateUser")
            .Accepts<Patch>("application/json", "application/merge-patch+json")
            .ProducesProblemDetails(StatusCodes.Status404NotFound)
            .ProducesProblemDetails(StatusCodes.Status409Conflict)
            .ProducesProblemDetails(StatusCodes.Status412PreconditionFailed)
            .ProducesProblemDetails(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblemDetails(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblemDetails(StatusCodes.Status503ServiceUnavailable));
        Summary(s =>
        {
            s.Summary = "Change a user (JSON merge patch)";
            s.Description = "Changes any of `email`, `fullName`, `password`; absent fields stay as they are. " +
                            "With `If-Match`, the change applies only if the ETag is current (412 otherwise). " +
                            "Answers the user with its new `ETag`.";
        });
    }

    public override async Task HandleAsync(Request req, CancellationToken ct)
    {
        var patch = req.Body!;
        var changes = new Data.Changes(
            req.Id,
            EntityTags.ParseIfMatch(req.IfMatch),
            patch.HasEmail ? patch.Email!.Trim() : null,
            patch.HasFullName ? patch.FullName!.Trim() : null,
            patch.HasPassword ? passwords.Hash(patch.Password!) : null);

        var (outcome, user) = await Data.UpdateAsync(db, changes, ct);
        switch (outcome)
        {
            case Data.Outcome.Updated:
                HttpContext.Response.Headers.ETag = user!.ETag;
                await Send.OkAsync(user.ToResponse(), ct);
                break;
            case Data.Outcome.EmailTaken:
                ThrowError(new FluentValidation.Results.ValidationFailure("email", "email is already taken."), StatusCodes.Status409Conflict);
                break;
            case Data.Outcome.PreconditionFailed:
                await Send.ResultAsync(Problems.Result(StatusCodes.Status412PreconditionFailed, "If-Match does not match the current ETag."));
                break;
            default:
                await Send.ResultAsync(Problems.Result(StatusCodes.Status404NotFound, "No user has this id."));
                break;
        }
    }
}
