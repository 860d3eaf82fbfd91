using FastEndpoints;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Npgsql;

namespace UserService.Features.Auth.Token;

internal sealed class Endpoint(NpgsqlDataSource db, Passwords passwords, Tokens tokens, SignInThrottle throttle, IOptions<SessionLifetimes> sessions)
    : Endpoint<Request, TokenResponse>
{
    public override void Configure()
    {
        Post("auth/token");
        AllowAnonymous();
        Options(b => b.ThrottlePerAddress());
        Description(b => b.WithName("CreateToken")
            .WithMetadata(TokenAnswers.NoStoreHeader));
        Summary(s =>
        {
            s.Summary = "Sign in: exchange email and password for a bearer token and a refresh token";
            s.Description = "Returns a JWT to send as `Authorization: Bearer <token>` (`expiresIn` seconds) and starts a session: " +
                            "its `refreshToken` gets a new access token from `POST /api/auth/refresh` (`refreshExpiresIn` seconds if unused). " +
                            "A wrong email and a wrong password get the same 401. Attempts are throttled per account and per client " +
                            "address (429 with `Retry-After`). Never stored by caches (`Cache-Control: no-store`).";
            s.Response<TokenResponse>(StatusCodes.Status200OK, "A bearer token and the new session's refresh token.");
            s.Response(StatusCodes.Status401Unauthorized, "The email or password is incorrect (one answer for both).");
            s.Response(StatusCodes.Status429TooManyRequests, "Too many attempts on this account or from this client address; retry after `Retry-After` seconds.");
        });
    }

    public override async Task HandleAsync(Request req, CancellationToken ct)
    {
        if (!await throttle.AdmitAccountAsync(HttpContext, req.Email!, ct))
        {
            return;
        }

        var user = await Data.FindAsync(db, req.Email!, ct);
        var verdict = await passwords.VerifyOrBurnAsync(user?.PasswordHash, req.Password!, ct);
        if (user is null || verdict == PasswordVerificationResult.Failed)
        {
            await Send.ResultAsync(Problems.Result(StatusCodes.Status401Unauthorized, "The email or password is incorrect."));
            return;
        }

        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            try
            {
                await Data.UpgradeHashAsync(db, user.Id, user.PasswordHash, await passwords.HashAsync(req.Password!, ct), ct);
            }
            catch (HashingBusyException)
            {
                // The password was right: the upgrade waits for a quieter sign-in rather than cost this one a 503.
            }
        }

        var sessionId = Guid.CreateVersion7();
        var refreshToken = SessionRules.NewRefreshToken();
        var refreshSeconds = await Data.StartSessionAsync(db, sessionId, user, SessionRules.Hash(refreshToken), sessions.Value, ct);
        if (refreshSeconds is null)
        {
            // Deleted between the password check and now: as if the email were unknown.
            await Send.ResultAsync(Problems.Result(StatusCodes.Status401Unauthorized, "The email or password is incorrect."));
            return;
        }

        var token = tokens.Issue(user.Id, user.Role, user.SecurityStamp, sessionId);
        await Send.OkAsync(TokenAnswers.Create(tokens, token, refreshToken, refreshSeconds.Value), ct);
    }
}
