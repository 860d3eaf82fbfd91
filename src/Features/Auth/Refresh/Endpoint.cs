using FastEndpoints;
using Microsoft.Extensions.Options;
using Npgsql;

namespace UserService.Features.Auth.Refresh;

internal sealed partial class Endpoint(NpgsqlDataSource db, Tokens tokens, IOptions<SessionLifetimes> sessions, ILogger<Endpoint> logger)
    : Endpoint<Request, TokenResponse>
{
    public override void Configure()
    {
        Post("auth/refresh");
        AllowAnonymous();
        // Per client address, like sign-in: 256-bit tokens cannot be guessed, but nobody gets to try at speed.
        Options(b => b.ThrottlePerAddress());
        Description(b => b.WithName("RefreshToken")
            .WithMetadata(TokenAnswers.NoStoreHeader));
        Summary(s =>
        {
            s.Summary = "Refresh: exchange the session's refresh token for a new access token and a new refresh token";
            s.Description = "Answers like sign-in. The refresh token sent is spent (rotation): presenting it again ends the whole " +
                            "session (reuse detection) and its latest refresh token stops working too. An expired, unknown, " +
                            "malformed, spent or revoked refresh token gets the same 401. A session ends after `Sessions:IdleTimeout` " +
                            "unused, after `Sessions:AbsoluteLifetime` in any case, and at once when its user changes password, is " +
                            "demoted, deleted or signs out everywhere. Throttled per client address (429 with `Retry-After`). " +
                            "Never stored by caches (`Cache-Control: no-store`).";
            s.Response<TokenResponse>(StatusCodes.Status200OK, "A new bearer token and the session's next refresh token.");
            s.Response(StatusCodes.Status401Unauthorized, "The refresh token is expired, unknown, malformed, spent or revoked (one answer for all).");
            s.Response(StatusCodes.Status429TooManyRequests, "Too many attempts from this client address; retry after `Retry-After` seconds.");
        });
    }

    public override async Task HandleAsync(Request req, CancellationToken ct)
    {
        var presented = SessionRules.Hash(req.RefreshToken!);
        var refreshToken = SessionRules.NewRefreshToken();
        var session = await Data.RotateAsync(db, presented, SessionRules.Hash(refreshToken), sessions.Value, ct);
        if (session is null)
        {
            if (await Data.EndAsync(db, presented, sessions.Value, ct) is { Reused: true } ended)
            {
                LogReuse(ended.SessionId, ended.UserId);
            }

            await Send.ResultAsync(Problems.Result(StatusCodes.Status401Unauthorized, "The refresh token is invalid, expired or revoked."));
            return;
        }

        var token = tokens.Issue(session.UserId, session.Role, session.SecurityStamp, session.SessionId);
        await Send.OkAsync(TokenAnswers.Create(tokens, token, refreshToken, session.RefreshSeconds), ct);
    }

    // Never the token itself: the ids say which session to look at.
    [LoggerMessage(Level = LogLevel.Warning, Message = "A spent refresh token was presented again: session {SessionId} of user {UserId} ended (reuse detection)")]
    partial void LogReuse(Guid sessionId, Guid userId);
}
