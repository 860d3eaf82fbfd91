using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace UserService.Infrastructure.Security;

/// <summary>
/// The JWT handler, remembering the tokens whose signature and claims it has already validated: a client sends the
/// same token for up to its lifetime, and parsing it and checking its HMAC again cost about a tenth of an
/// authenticated GET's CPU (bench/results.md). Only what cannot change is remembered: the token's exact text
/// maps to the identity it proved. Lifetime is still checked on every request, and revocation (the security stamp)
/// is checked by <see cref="SecurityStamps"/> after this, every request. A failed validation is never remembered.
/// <para>
/// A token of a key that is no longer configured can never come out of here: the keys are fixed for the life of the
/// process (removing one means a restart, which starts this cache empty), and, should that ever change, an entry is
/// honoured only while the very key that verified it is still among the validation parameters' keys.
/// </para>
/// </summary>
internal sealed class ValidatedTokens : JsonWebTokenHandler
{
    /// <summary>Tokens remembered at most (each a few KB); past it, the cache starts over.</summary>
    const int MaxEntries = 4096;

    readonly ConcurrentDictionary<string, Entry> validated = new(StringComparer.Ordinal);
    readonly TimeProvider clock;

    public ValidatedTokens(TimeProvider clock)
    {
        this.clock = clock;
        MapInboundClaims = false;
    }

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        if (validated.TryGetValue(token, out var known))
        {
            var now = clock.GetUtcNow().UtcDateTime;
            if (validationParameters.IssuerSigningKeys?.Contains(known.Key) == true
                && now >= known.Token.ValidFrom - validationParameters.ClockSkew && now <= known.Token.ValidTo + validationParameters.ClockSkew)
            {
                return new TokenValidationResult
                {
                    IsValid = true,
                    ClaimsIdentity = known.Identity.Clone(),
                    SecurityToken = known.Token,
                    TokenType = known.TokenType,
                    Issuer = known.Token.Issuer,
                };
            }

            validated.TryRemove(token, out _);
        }

        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is JsonWebToken { SigningKey: { } key } jwt && result.ClaimsIdentity is { } identity)
        {
            if (validated.Count >= MaxEntries)
            {
                validated.Clear();
            }

            validated[token] = new Entry(jwt, key, identity.Clone(), result.TokenType);
        }

        return result;
    }

    sealed record Entry(JsonWebToken Token, SecurityKey Key, ClaimsIdentity Identity, string TokenType);
}
