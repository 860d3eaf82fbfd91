using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace UserService.Infrastructure.Security;

/// <summary>Issues the service's access tokens: HS256 JWTs carrying the user id, role and security stamp.</summary>
internal sealed class Tokens(SigningKey key, IOptions<JwtOptions> options, TimeProvider clock)
{
    public const string StampClaim = "sst";

    readonly JsonWebTokenHandler handler = new();

    public TimeSpan Lifetime => options.Value.Lifetime;

    public string Issue(Guid userId, string role, Guid securityStamp)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Value.Issuer,
            Audience = options.Value.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + options.Value.Lifetime,
            SigningCredentials = new SigningCredentials(key.Key, SecurityAlgorithms.HmacSha256),
            Subject = new ClaimsIdentity(
            [
                new Claim(JwtRegisteredClaimNames.Sub, userId.ToString()),
                new Claim(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")),
                new Claim(Caller.RoleClaim, role),
                new Claim(StampClaim, securityStamp.ToString()),
            ]),
        });
    }
}
