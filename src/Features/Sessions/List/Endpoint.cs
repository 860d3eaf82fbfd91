using FastEndpoints;
using Microsoft.Extensions.Options;
using Npgsql;

namespace UserService.Features.Sessions.List;

internal sealed class Endpoint(NpgsqlDataSource db, IOptions<SessionLifetimes> sessions) : EndpointWithoutRequest<Response>
{
    public override void Configure()
    {
        Get("users/me/sessions");
        Description(b => b.WithName("ListSessions"));
        Summary(s =>
        {
            s.Summary = "List the caller's sessions";
            s.Description = "The caller's live sessions (one per sign-in), oldest first: `createdAt`, `lastUsedAt` (the last refresh), " +
                            "`expiresAt` (idle timeout or absolute lifetime, whichever is first, unless refreshed before) and `current` " +
                            "(the session of the access token sending this request).";
        });
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var current = Guid.TryParse(User.FindFirst(SessionRules.SessionClaim)?.Value, out var id) ? id : Guid.Empty;
        var rows = await Data.ListAsync(db, User.UserId(), sessions.Value, ct);
        await Send.OkAsync(new Response([.. rows.Select(r => new SessionResponse(r.Id, r.CreatedAt, r.LastUsedAt, r.ExpiresAt, r.Id == current))]), ct);
    }
}
