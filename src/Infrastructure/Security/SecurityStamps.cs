using Dapper;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Npgsql;

namespace UserService.Infrastructure.Security;

/// <summary>
/// Revocation: a token is honoured only while its user exists with the same security stamp and role. Deleting a
/// user, changing their password or their role rotates or removes the stamp, so their tokens stop at once.
/// One primary-key lookup per authenticated request, on a connection returned before the endpoint opens its own.
/// </summary>
internal static class SecurityStamps
{
    const string StampSql = "SELECT security_stamp FROM users WHERE id = @id AND role = @role";

    public static async Task ValidateAsync(TokenValidatedContext context)
    {
        // Outside /api (health, metrics, Swagger) no route acts on the caller: a token sent there is ignored rather
        // than checked, so a probe that carries one never depends on the database (a /health/live that turned 503
        // while PostgreSQL is down would get a healthy process restarted).
        if (!context.HttpContext.Request.Path.StartsWithSegments("/api"))
        {
            context.NoResult();
            return;
        }

        var principal = context.Principal!;
        var role = principal.FindFirst(Caller.RoleClaim)?.Value;
        if (!Guid.TryParse(principal.FindFirst(Tokens.StampClaim)?.Value, out var stamp) || role is null)
        {
            context.Fail("The token has no security stamp.");
            return;
        }

        var db = context.HttpContext.RequestServices.GetRequiredService<NpgsqlDataSource>();
        var ct = context.HttpContext.RequestAborted;
        var current = await ReadRetry.OnceAsync(async ct =>
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            return await connection.QuerySingleOrDefaultAsync<Guid?>(
                new CommandDefinition(StampSql, new { id = principal.UserId(), role }, cancellationToken: ct));
        }, ct);
        if (current != stamp)
        {
            context.Fail("The token has been revoked.");
        }
    }
}
