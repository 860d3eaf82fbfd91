using FastEndpoints;
using Npgsql;

namespace UserService.Features.Users.Delete;

internal sealed class Endpoint(NpgsqlDataSource db, SecurityStamps stamps) : Endpoint<Request>
{
    public override void Configure()
    {
        Delete("users/{id:guid}");
        Description(b => b.WithName("DeleteUser"));
        Summary(s =>
        {
            s.Summary = "Delete a user";
            s.Description = "Deletes the user for good; their tokens stop working at once. Users may delete only themselves, " +
                            "admins anyone; any other id answers 404. With `If-Match`, only if the ETag is current (412 otherwise).";
            s.Response(StatusCodes.Status204NoContent, "Deleted.");
            s.Response(StatusCodes.Status404NotFound, UserAnswers.NotFoundDescription);
            s.Response(StatusCodes.Status412PreconditionFailed, UserAnswers.PreconditionFailedDescription);
        });
    }

    public override async Task HandleAsync(Request req, CancellationToken ct)
    {
        var outcome = User.MayAccess(req.Id)
            ? await Data.DeleteAsync(db, req.Id, EntityTags.ParseIfMatch(req.IfMatch), ct)
            : Data.Outcome.NotFound;
        if (outcome == Data.Outcome.Deleted)
        {
            // The trigger tells every instance; this one forgets at once, before it answers.
            stamps.Forget(req.Id);
        }

        await (outcome switch
        {
            Data.Outcome.Deleted => Send.NoContentAsync(ct),
            Data.Outcome.PreconditionFailed => Send.StaleETagAsync(),
            _ => Send.NoSuchUserAsync(),
        });
    }
}
