using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace UserService.Infrastructure.Security;

/// <summary>
/// Salted PBKDF2-HMAC-SHA512 (ASP.NET Core Identity v3 format) with at least 210,000 iterations, the OWASP
/// 2023 figure. The format records its own iteration count, so older hashes still verify and report that
/// they need rehashing.
/// </summary>
internal sealed class Passwords
{
    public const int MinimumIterations = 210_000;

    static readonly object Nobody = new();

    readonly PasswordHasher<object> hasher;

    // Verified against when an email is unknown, so that answer costs the same time as a wrong password.
    readonly Lazy<string> dummyHash;

    public Passwords(IOptions<PasswordHasherOptions> options)
    {
        hasher = new(Options.Create(new PasswordHasherOptions
        {
            CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV3,
            IterationCount = Math.Max(options.Value.IterationCount, MinimumIterations),
        }));
        dummyHash = new(() => Hash(Guid.NewGuid().ToString()));
    }

    public string Hash(string password) => hasher.HashPassword(Nobody, password);

    public PasswordVerificationResult Verify(string hash, string password) => hasher.VerifyHashedPassword(Nobody, hash, password);

    /// <summary>Verifies against <paramref name="hash"/>, or burns the same time and fails when there is none.</summary>
    public PasswordVerificationResult VerifyOrBurn(string? hash, string password)
    {
        var result = Verify(hash ?? dummyHash.Value, password);
        return hash is null ? PasswordVerificationResult.Failed : result;
    }
}
