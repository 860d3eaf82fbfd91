namespace UserService.Infrastructure.Security;

/// <summary>Bound from the <c>Jwt</c> section (env <c>Jwt__SigningKey</c>, ...).</summary>
internal sealed class JwtOptions
{
    public const string Section = "Jwt";
    public const int MinimumKeyBytes = 32;

    /// <summary>HMAC-SHA256 key, at least 32 bytes of UTF-8. No default outside Development.</summary>
    public string? SigningKey { get; set; }

    public string Issuer { get; set; } = "UserService";

    public string Audience { get; set; } = "UserService";

    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(15);
}
