using FastEndpoints;
using Npgsql;

namespace UserService.Features.Auth.LogoutAll;

internal sealed class Endpoint(NpgsqlDataSource db, SecurityStamps stamps) : EndpointWithoutRequest
{
    public override void Configure()
    {
        Post("auth/logout-all");
        Description(b => b.WithName("LogoutAll"));
        Summary(s =>
        {
            s.Summary = "Sign out everywhere: end every session of the caller and revoke their access tokens";
            s.Description = "Ends all of the caller's sessions (their refresh tokens stop working) and revokes every access token " +
                            "of theirs at once, the one that sent this request included, on every instance. Sign in again afterwards.";
        });
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var userId = User.UserId();
        await Data.EndAllAsync(db, userId, ct);
        // The trigger tells every instance; this one forgets at once, before it answers.
        stamps.Forget(userId);
        await Send.NoContentAsync(ct);
    }
}
