using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using UserService.Infrastructure.Security;

namespace UserService.Tests.Infrastructure;

/// <summary>The cache of validated tokens never answers for a key that is no longer among the configured keys.</summary>
public sealed class ValidatedTokensTests
{
    static readonly SymmetricSecurityKey K1 = new(Encoding.UTF8.GetBytes("cache-key-one-0123456789-abcdefghijklmnop")) { KeyId = "k1" };
    static readonly SymmetricSecurityKey K2 = new(Encoding.UTF8.GetBytes("cache-key-two-0123456789-abcdefghijklmnop")) { KeyId = "k2" };

    [Fact]
    public async Task A_cached_token_of_a_key_that_was_removed_is_validated_again_and_refused()
    {
        var handler = new ValidatedTokens(TimeProvider.System);
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "UserService",
            Audience = "UserService",
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(K1, SecurityAlgorithms.HmacSha256),
            Subject = new ClaimsIdentity([new Claim("sub", Guid.NewGuid().ToString())]),
        });

        var both = await handler.ValidateTokenAsync(token, Parameters(K1, K2));
        var cached = await handler.ValidateTokenAsync(token, Parameters(K1, K2));
        var removed = await handler.ValidateTokenAsync(token, Parameters(K2));

        Assert.True(both.IsValid && cached.IsValid);
        Assert.False(removed.IsValid);
    }

    static TokenValidationParameters Parameters(params SecurityKey[] keys) => new()
    {
        ValidIssuer = "UserService",
        ValidAudience = "UserService",
        IssuerSigningKeys = keys,
        IssuerSigningKeyResolver = (_, _, kid, _) => keys.Where(k => k.KeyId == kid),
        TryAllIssuerSigningKeys = false,
    };
}
