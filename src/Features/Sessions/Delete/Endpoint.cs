using FastEndpoints;
using Npgsql;

namespace UserService.Features.Sessions.Delete;

internal sealed class Endpoint(NpgsqlDataSource db) : Endpoint<Request>
{
    public override void Configure()
    {
        Delete("users/me/sessions/{id:guid}");
        Description(b => b.WithName("DeleteSession")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblemDetails(StatusCodes.Status401Unauthorized)
            .ProducesProblemDetails(StatusCodes.Status404NotFound));
        Summary(s =>
        {
            s.Summary = "End one of the caller's sessions";
            s.Description = "Ends the session (its refresh tokens stop working at once), e.g. a device the caller no longer has. " +
                            "An id that is not one of the caller's sessions (unknown, ended, or someone else's) answers 404.";
        });
    }

    public override async Task HandleAsync(Request req, CancellationToken ct)
    {
        await (await Data.DeleteAsync(db, req.Id, User.UserId(), ct)
            ? Send.NoContentAsync(ct)
            : Send.ResultAsync(Problems.Result(StatusCodes.Status404NotFound, "You have no session with this id.")));
    }
}
