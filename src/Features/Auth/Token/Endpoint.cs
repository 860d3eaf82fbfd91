using FastEndpoints;
using Microsoft.AspNetCore.Identity;
using Npgsql;

namespace UserService.Features.Auth.Token;

internal sealed class Endpoint(NpgsqlDataSource db, Passwords passwords, Tokens tokens, SignInThrottle throttle) : Endpoint<Request, Response>
{
    public override void Configure()
    {
        Post("auth/token");
        AllowAnonymous();
        Options(b => b.ThrottlePerAddress());
        Description(b => b.WithName("CreateToken")
            .ProducesProblemDetails(StatusCodes.Status401Unauthorized)
            .ProducesProblemDetails(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblemDetails(StatusCodes.Status429TooManyRequests)
            .ProducesProblemDetails(StatusCodes.Status503ServiceUnavailable));
        Summary(s =>
        {
            s.Summary = "Sign in: exchange email and password for a bearer token";
            s.Description = "Returns a JWT to send as `Authorization: Bearer <token>`. A wrong email and a wrong password " +
                            "get the same 401. Attempts are throttled per account and per client address (429 with `Retry-After`).";
        });
    }

    public override async Task HandleAsync(Request req, CancellationToken ct)
    {
        if (!await throttle.AdmitAccountAsync(HttpContext, req.Email!, ct))
        {
            return;
        }

        var user = await Data.FindAsync(db, req.Email!.Trim(), ct);
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

        var token = tokens.Issue(user.Id, user.Role, user.SecurityStamp);
        await Send.OkAsync(new Response(token, "Bearer", (int)tokens.Lifetime.TotalSeconds), ct);
    }
}
