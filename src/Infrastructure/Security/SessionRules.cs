using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace UserService.Infrastructure.Security;

/// <summary>Bound from <c>Sessions</c> (env <c>Sessions__IdleTimeout</c>, ...).</summary>
internal sealed class SessionLifetimes
{
    public const string Section = "Sessions";

    /// <summary>A session not refreshed for this long ends.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromDays(14);

    /// <summary>A session ends this long after its sign-in, however often it is refreshed.</summary>
    public TimeSpan AbsoluteLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How often sessions that are no longer live are deleted (<see cref="ExpiredRowsCleanup"/>). An hour: a dead row
    /// is invisible to every statement (each asks <see cref="SessionRules.IsLive"/>), so it costs only its space while it
    /// waits, and each sweep scans the whole table, so sweeping more often would cost more than it saves.
    /// </summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);

    public double IdleSeconds => IdleTimeout.TotalSeconds;

    public double AbsoluteSeconds => AbsoluteLifetime.TotalSeconds;
}

/// <summary>
/// What every session slice shares: the one definition of a live session (as SQL over <c>sessions s</c> joined to
/// <c>users u</c>, with the parameters <c>@IdleSeconds</c> and <c>@AbsoluteSeconds</c>), and refresh tokens.
/// </summary>
internal static class SessionRules
{
    /// <summary>When the session ends unless refreshed first: idle timeout or absolute lifetime, whichever comes first.</summary>
    // Seconds, not TimeSpan: Dapper sends a TimeSpan as a PostgreSQL time of day, which cannot hold 14 days.
    public const string ExpiresAt =
        "least(s.last_used_at + @IdleSeconds * interval '1 second', s.created_at + @AbsoluteSeconds * interval '1 second')";

    /// <summary>
    /// Live: not expired, and the user still has the stamp the session began under (a password change, a demotion or
    /// signing out everywhere rotates it; deleting the user deletes the row). PostgreSQL's clock decides, so every
    /// instance agrees.
    /// </summary>
    public const string IsLive = $"{ExpiresAt} > now() AND s.security_stamp = u.security_stamp";

    /// <summary>The session's claim in access tokens: which session issued it (for <c>current</c> in the list).</summary>
    public const string SessionClaim = "sid";

    const int TokenBytes = 32;

    /// <summary>A new refresh token: 256 random bits, base64url. Only its hash is ever stored.</summary>
    public static string NewRefreshToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(TokenBytes));

    /// <summary>
    /// SHA-256 of whatever was presented (no parsing: a malformed token simply matches nothing). A fast hash is right
    /// here: the token has 256 bits of entropy, so nobody can search its hash space as they would a password's.
    /// </summary>
    public static byte[] Hash(string refreshToken) => SHA256.HashData(Encoding.UTF8.GetBytes(refreshToken));
}
