using FastEndpoints;
using Npgsql;

namespace UserService.Features.Users.Me;

internal sealed class Endpoint(NpgsqlDataSource db) : EndpointWithoutRequest<UserResponse>
{
    public override void Configure()
    {
        Get("users/me");
        Description(b => b.WithName("GetCurrentUser")
            .WithMetadata(UserAnswers.ETagHeader(StatusCodes.Status200OK)));
        Summary(s =>
        {
            s.Summary = "Get the signed-in user";
            s.Description = "Returns the caller's own user and its `ETag`.";
            s.Response<UserResponse>(StatusCodes.Status200OK, "The caller's own user, with its current `ETag`.");
        });
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        // The token was checked against the database this very request, so the row exists unless it was
        // deleted in between; that race answers 401 like any revoked token.
        var user = await UserRow.FindAsync(db, User.UserId(), ct);
        if (user is null)
        {
            await Send.ResultAsync(Problems.Result(StatusCodes.Status401Unauthorized, "The token's user no longer exists."));
            return;
        }

        await Send.UserAsync(user, ct);
    }
}
