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
    public const string Bearer = "Bearer";

    /// <summary>RFC 6749, section 5.1: an answer carrying tokens is never stored, by any cache.</summary>
    public static void NoStore(HttpContext context) => context.Response.Headers.CacheControl = "no-store";

    public static int Seconds(TimeSpan span) => (int)Math.Max(0, Math.Floor(span.TotalSeconds));
}
