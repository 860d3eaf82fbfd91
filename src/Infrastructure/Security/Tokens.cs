using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace UserService.Infrastructure.Security;

/// <summary>
/// Issues the service's access tokens: HS256 JWTs carrying the user id, role, security stamp and session, signed with
/// the current key (its id in the <c>kid</c> header, written by the handler from the key's <c>KeyId</c>).
/// </summary>
internal sealed class Tokens(SigningKeys keys, IOptions<JwtOptions> options, TimeProvider clock)
{
    public const string StampClaim = "sst";

    readonly JsonWebTokenHandler handler = new();
    readonly SigningCredentials credentials = new(keys.Current, SecurityAlgorithms.HmacSha256);

    public TimeSpan Lifetime => options.Value.Lifetime;

    public string Issue(Guid userId, string role, Guid securityStamp, Guid sessionId)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Value.Issuer,
            Audience = options.Value.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + options.Value.Lifetime,
            SigningCredentials = credentials,
            Subject = new ClaimsIdentity(
            [
                new Claim(JwtRegisteredClaimNames.Sub, userId.ToString()),
                new Claim(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")),
                new Claim(Caller.RoleClaim, role),
                new Claim(StampClaim, securityStamp.ToString()),
                new Claim(SessionRules.SessionClaim, sessionId.ToString()),
            ]),
        });
    }
}
