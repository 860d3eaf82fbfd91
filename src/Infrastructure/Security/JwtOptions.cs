namespace UserService.Infrastructure.Security;

/// <summary>Bound from the <c>Jwt</c> section (env <c>Jwt__SigningKey</c>, <c>Jwt__SigningKeys__0__Id</c>, ...).</summary>
internal sealed class JwtOptions
{
    public const string Section = "Jwt";
    public const int MinimumKeyBytes = 32;

    /// <summary>One HMAC-SHA256 key, at least 32 bytes of UTF-8: the same as a <see cref="SigningKeys"/> list of one, with the id <c>default</c>.</summary>
    public string? SigningKey { get; set; }

    /// <summary>Keys with ids: the first signs new tokens (its id in the <c>kid</c> header), every one of them verifies.</summary>
    public List<SigningKeyOptions> SigningKeys { get; set; } = [];

    public string Issuer { get; set; } = "UserService";

    public string Audience { get; set; } = "UserService";

    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(15);

    public const string Rule = "Jwt: Lifetime must be above zero, Issuer and Audience must be set.";

    /// <summary>The keys are checked apart, by <see cref="Security.SigningKeys.Resolve(JwtOptions, IHostEnvironment)"/>: whether none is allowed depends on the environment.</summary>
    public static bool IsValid(JwtOptions o) =>
        o.Lifetime > TimeSpan.Zero && !string.IsNullOrWhiteSpace(o.Issuer) && !string.IsNullOrWhiteSpace(o.Audience);
}

internal sealed class SigningKeyOptions
{
    public string? Id { get; set; }

    public string? Key { get; set; }
}
