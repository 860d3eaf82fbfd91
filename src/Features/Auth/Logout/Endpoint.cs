using FastEndpoints;
using Npgsql;

namespace UserService.Features.Auth.Logout;

internal sealed class Endpoint(NpgsqlDataSource db) : Endpoint<Request>
{
    public override void Configure()
    {
        Post("auth/logout");
        AllowAnonymous();
        Description(b => b.WithName("Logout"));
        Summary(s =>
        {
            s.Summary = "Sign out: end the session of a refresh token";
            s.Description = "Ends the session that the refresh token belongs to; its refresh tokens stop working at once. Always 204, " +
                            "also for an unknown or already ended session: signing out cannot fail. Access tokens already issued " +
                            "live on until they expire (`expiresIn`); `POST /api/auth/logout-all` revokes those too.";
        });
    }

    public override async Task HandleAsync(Request req, CancellationToken ct)
    {
        await Data.EndAsync(db, SessionRules.Hash(req.RefreshToken!), ct);
        await Send.NoContentAsync(ct);
    }
}
