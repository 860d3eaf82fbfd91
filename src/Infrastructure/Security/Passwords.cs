using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace UserService.Infrastructure.Security;

/// <summary>
/// Salted PBKDF2-HMAC-SHA512 (ASP.NET Core Identity v3 format) with at least 210,000 iterations, the OWASP
/// 2023 figure. The format records its own iteration count, so older hashes still verify and report that
/// they need rehashing.
/// </summary>
internal sealed class Passwords(IOptions<PasswordHasherOptions> options)
{
    public const int MinimumIterations = 210_000;

    readonly PasswordHasher<object> hasher = new(Options.Create(new PasswordHasherOptions
    {
        CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV3,
        IterationCount = Math.Max(options.Value.IterationCount, MinimumIterations),
    }));

    static readonly object Nobody = new();

    public string Hash(string password) => hasher.HashPassword(Nobody, password);

    public PasswordVerificationResult Verify(string hash, string password) => hasher.VerifyHashedPassword(Nobody, hash, password);
}
