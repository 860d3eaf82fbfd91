using FastEndpoints;
using Npgsql;

namespace UserService.Features.Sessions.Delete;

internal sealed class Endpoint(NpgsqlDataSource db) : Endpoint<Request>
{
    public override void Configure()
    {
        Delete("users/me/sessions/{id:guid}");
        Description(b => b.WithName("DeleteSession"));
        Summary(s =>
        {
            s.Summary = "End one of the caller's sessions";
            s.Description = "Ends the session (its refresh tokens stop working at once), e.g. a device the caller no longer has. " +
                            "An id that is not one of the caller's sessions (unknown, ended, or someone else's) answers 404.";
            s.Response(StatusCodes.Status204NoContent, "The session has ended.");
            s.Response(StatusCodes.Status404NotFound, "The caller has no live session with this id.");
        });
    }

    public override async Task HandleAsync(Request req, CancellationToken ct)
    {
        await (await Data.DeleteAsync(db, req.Id, User.UserId(), ct)
            ? Send.NoContentAsync(ct)
            : Send.ResultAsync(Problems.Result(StatusCodes.Status404NotFound, "You have no session with this id.")));
    }
}
