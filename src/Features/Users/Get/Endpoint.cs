using FastEndpoints;
using Npgsql;

namespace UserService.Features.Users.Get;

internal sealed class Endpoint(NpgsqlDataSource db) : Endpoint<Request, UserResponse>
{
    public override void Configure()
    {
        Get("users/{id:guid}");
        Description(b => b.WithName("GetUser")
            .WithMetadata(UserAnswers.ETagHeader(StatusCodes.Status200OK)));
        Summary(s =>
        {
            s.Summary = "Get one user";
            s.Description = "Returns the user and its current `ETag`. Users may read only themselves, admins anyone; " +
                            "any other id answers 404, exactly as if it did not exist.";
            s.Response<UserResponse>(StatusCodes.Status200OK, "The user, with its current `ETag`.");
            s.Response(StatusCodes.Status404NotFound, UserAnswers.NotFoundDescription);
        });
    }

    public override async Task HandleAsync(Request req, CancellationToken ct)
    {
        var user = User.MayAccess(req.Id) ? await UserRow.FindAsync(db, req.Id, ct) : null;
        await (user is null ? Send.NoSuchUserAsync() : Send.UserAsync(user, ct));
    }
}
