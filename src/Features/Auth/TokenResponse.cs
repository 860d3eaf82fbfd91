namespace UserService.Features.Auth;

/// <summary>
/// What sign-in and refresh answer (OAuth 2.0 style): a bearer access token and the session's next refresh token.
/// <c>expiresIn</c> is the access token's lifetime in seconds; <c>refreshExpiresIn</c> how many seconds the refresh
/// token stays usable if it is not used before (the session's idle timeout or its absolute end, whichever is first).
/// </summary>
internal sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, string RefreshToken, int RefreshExpiresIn);

/// <summary>What both token endpoints share in their answer.</summary>
internal static class TokenAnswers
{
    /// <summary>Documents the <c>Cache-Control: no-store</c> of a token answer (see <see cref="Create"/>).</summary>
    public static readonly DocumentedHeader NoStoreHeader = new(StatusCodes.Status200OK, "Cache-Control",
        "`no-store`: an answer carrying tokens is never stored by any cache (RFC 6749, section 5.1).", Example: "no-store");

    /// <summary>
    /// The answer, lifetimes in whole seconds, rounded down, never negative. Its <c>Cache-Control: no-store</c> (RFC 6749,
    /// section 5.1) comes with every /api answer (Infrastructure/Http/NoStore.cs).
    /// </summary>
    public static TokenResponse Create(Tokens tokens, string accessToken, string refreshToken, double refreshSeconds) =>
        new(accessToken, "Bearer", Seconds(tokens.Lifetime.TotalSeconds), refreshToken, Seconds(refreshSeconds));

    static int Seconds(double seconds) => (int)Math.Max(0, Math.Floor(seconds));
}
