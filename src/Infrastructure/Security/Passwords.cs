using System.Globalization;
using System.Text;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using NSec.Cryptography;

namespace UserService.Infrastructure.Security;

/// <summary>
/// Argon2id (OWASP's first choice; libsodium through NSec) in the PHC string format
/// <c>$argon2id$v=19$m=19456,t=2,p=1$salt$hash</c>, which records its own parameters. Hashes of the earlier
/// PBKDF2-HMAC-SHA512 format (ASP.NET Core Identity v3) still verify and report that they need rehashing, as do
/// Argon2id hashes weaker than the configured cost. Every hash and verification runs on <see cref="HashingQueue"/>.
/// </summary>
internal sealed class Passwords
{
    const string Prefix = "$argon2id$";
    const int SaltBytes = 16;
    const int HashBytes = 32;

    static readonly PasswordHasher<object> Legacy = new(Options.Create(new PasswordHasherOptions
    {
        CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV3,
    }));

    readonly HashingQueue queue;
    readonly IOptions<PasswordHashingOptions> options;

    // Verified against when an email is unknown, so that answer costs the same time as a wrong password.
    readonly Lazy<string> dummyHash;

    public Passwords(HashingQueue queue, IOptions<PasswordHashingOptions> options)
    {
        this.queue = queue;
        this.options = options;
        dummyHash = new(() => Hash(Guid.NewGuid().ToString()));
    }

    // Read at use, not in the constructor: FastEndpoints builds the endpoints (and so this) before the host validates settings.
    int CostKiB => Math.Max(options.Value.MemoryKiB, PasswordHashingOptions.MinimumMemoryKiB);

    int CostPasses => Math.Max(options.Value.Passes, PasswordHashingOptions.MinimumPasses);

    public Task<string> HashAsync(string password, CancellationToken ct) => queue.RunAsync(() => Hash(password), ct);

    /// <summary>Verifies against <paramref name="hash"/>, or burns the same time and fails when there is none.</summary>
    public Task<PasswordVerificationResult> VerifyOrBurnAsync(string? hash, string password, CancellationToken ct) =>
        queue.RunAsync(() =>
        {
            var result = Verify(hash ?? dummyHash.Value, password);
            return hash is null ? PasswordVerificationResult.Failed : result;
        }, ct);

    string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Derive(CostKiB, CostPasses, password, salt, HashBytes);
        return string.Create(CultureInfo.InvariantCulture,
            $"{Prefix}v=19$m={CostKiB},t={CostPasses},p=1${Convert.ToBase64String(salt).TrimEnd('=')}${Convert.ToBase64String(hash).TrimEnd('=')}");
    }

    PasswordVerificationResult Verify(string stored, string password)
    {
        if (!stored.StartsWith('$'))
        {
            // ASP.NET Core Identity's base64 format (PBKDF2). Its reader throws on text that is not base64.
            try
            {
                var legacy = Legacy.VerifyHashedPassword(Nobody, stored, password);
                return legacy == PasswordVerificationResult.Failed ? legacy : PasswordVerificationResult.SuccessRehashNeeded;
            }
            catch (FormatException)
            {
                return PasswordVerificationResult.Failed;
            }
        }

        // Another PHC scheme, a malformed string, or costs far from ours (a stored hash must not be able to take a
        // hashing thread for hours or ask for gigabytes): it verifies nothing.
        if (!TryParse(stored, out var m, out var t, out var salt, out var expected)
            || m > 4 * CostKiB || t > 4 * CostPasses || expected.Length > 64)
        {
            return PasswordVerificationResult.Failed;
        }

        var actual = Derive(m, t, password, salt, expected.Length);
        if (!CryptographicOperations.FixedTimeEquals(actual, expected))
        {
            return PasswordVerificationResult.Failed;
        }

        return m < CostKiB || t < CostPasses ? PasswordVerificationResult.SuccessRehashNeeded : PasswordVerificationResult.Success;
    }

    static readonly object Nobody = new();

    /// <summary>Argon2id over the password's UTF-8 bytes, as every other Argon2 implementation hashes text.</summary>
    static byte[] Derive(int memoryKiB, int passes, string password, byte[] salt, int length)
    {
        var algorithm = PasswordBasedKeyDerivationAlgorithm.Argon2id(new Argon2Parameters
        {
            DegreeOfParallelism = 1,
            MemorySize = memoryKiB,
            NumberOfPasses = passes,
        });
        var bytes = Encoding.UTF8.GetBytes(password);
        try
        {
            return algorithm.DeriveBytes(bytes, salt, length);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>Reads <c>$argon2id$v=19$m=M,t=T,p=1$salt$hash</c> (unpadded base64, as the PHC format writes it).</summary>
    static bool TryParse(string stored, out int memoryKiB, out int passes, out byte[] salt, out byte[] hash)
    {
        memoryKiB = passes = 0;
        salt = hash = [];
        var parts = stored.Split('$');
        if (parts is not ["", "argon2id", "v=19", var costs, var saltText, var hashText])
        {
            return false;
        }

        var cost = costs.Split(',');
        if (cost is not [var mText, var tText, "p=1"]
            || !mText.StartsWith("m=", StringComparison.Ordinal) || !int.TryParse(mText.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out memoryKiB)
            || !tText.StartsWith("t=", StringComparison.Ordinal) || !int.TryParse(tText.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out passes))
        {
            return false;
        }

        return memoryKiB >= 8 && passes >= 1
               && TryDecode(saltText, out salt) && TryDecode(hashText, out hash) && salt.Length == SaltBytes && hash.Length >= 16;
    }

    static bool TryDecode(string unpadded, out byte[] bytes)
    {
        var padded = unpadded.PadRight(unpadded.Length + ((4 - (unpadded.Length % 4)) % 4), '=');
        bytes = new byte[padded.Length];
        if (Convert.TryFromBase64String(padded, bytes, out var written))
        {
            bytes = bytes[..written];
            return true;
        }

        return false;
    }
}
