using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace UserService.Infrastructure.Security;

/// <summary>
/// The token signing key, resolved once at startup. In Development a missing key is replaced by an ephemeral
/// one (tokens die with the process); anywhere else it is a startup error, reported by <see cref="SigningKeyCheck"/>.
/// </summary>
internal sealed class SigningKey
{
    SigningKey(SymmetricSecurityKey key, string? problem, bool ephemeral)
    {
        Key = key;
        Problem = problem;
        IsEphemeral = ephemeral;
    }

    public SymmetricSecurityKey Key { get; }

    /// <summary>Why the configured key cannot be used, or null when it can.</summary>
    public string? Problem { get; }

    public bool IsEphemeral { get; }

    public static SigningKey Resolve(JwtOptions options, IHostEnvironment environment)
    {
        var configured = options.SigningKey is null ? 0 : Encoding.UTF8.GetByteCount(options.SigningKey);
        if (configured >= JwtOptions.MinimumKeyBytes)
        {
            return new(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(options.SigningKey!)), null, false);
        }

        var random = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(JwtOptions.MinimumKeyBytes));
        if (environment.IsDevelopment())
        {
            return new(random, null, true);
        }

        var problem = configured == 0
            ? $"Jwt:SigningKey (env Jwt__SigningKey) is not set; it must be at least {JwtOptions.MinimumKeyBytes} bytes outside Development. Startup stopped."
            : $"Jwt:SigningKey (env Jwt__SigningKey) is {configured} bytes; it must be at least {JwtOptions.MinimumKeyBytes}. Startup stopped.";
        return new(random, problem, false);
    }
}
