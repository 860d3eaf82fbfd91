using FastEndpoints;
using Npgsql;

namespace UserService.Features.Users.Rename;

internal sealed class Endpoint(NpgsqlDataSource db) : Endpoint<Request, UserResponse>
{
    public override void Configure()
    {
        Put("users/{id:guid}/full-name");
        Description(b => b.WithName("RenameUser")
            .WithMetadata(UserAnswers.ETagHeader(StatusCodes.Status200OK)));
        Summary(s =>
        {
            s.Summary = "Rename a user";
            s.Description = "Sets the user's `fullName`. Users may rename only themselves, admins anyone; any other id answers 404.";
            s.Response<UserResponse>(StatusCodes.Status200OK, "The renamed user, with its new `ETag`.");
            s.Response(StatusCodes.Status404NotFound, UserAnswers.NotFoundDescription);
        });
    }

    public override async Task HandleAsync(Request req, CancellationToken ct)
    {
        var user = User.MayAccess(req.Id) ? await Data.RenameAsync(db, req.Id, req.FullName!, ct) : null;
        await (user is null ? Send.NoSuchUserAsync() : Send.UserAsync(user, ct));
    }
}
