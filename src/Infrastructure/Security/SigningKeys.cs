using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace UserService.Infrastructure.Security;

/// <summary>
/// The token keys, resolved once at startup and fixed for the life of the process: <see cref="Current"/> signs, every
/// one of <see cref="All"/> verifies. In Development no key at all means one ephemeral key (tokens die with the
/// process); anywhere else it is a startup error, reported by <see cref="SigningKeyCheck"/>, as is any unusable key.
/// </summary>
internal sealed class SigningKeys
{
    /// <summary>The id that <c>Jwt:SigningKey</c> (the single-key setting) goes by.</summary>
    public const string DefaultId = "default";

    const int MaxIdLength = 64;

    SigningKeys(IReadOnlyList<SymmetricSecurityKey> all, string? problem, bool ephemeral)
    {
        All = all;
        Problem = problem;
        IsEphemeral = ephemeral;
    }

    public SymmetricSecurityKey Current => All[0];

    public IReadOnlyList<SymmetricSecurityKey> All { get; }

    /// <summary>Why the configured keys cannot be used, or null when they can.</summary>
    public string? Problem { get; }

    public bool IsEphemeral { get; }

    /// <summary>
    /// The keys that may have signed a token: with a <c>kid</c>, only the key of that id (none when it is unknown); without
    /// one (tokens issued before keys had ids), any configured key. A removed key is never among them.
    /// </summary>
    public IEnumerable<SecurityKey> Resolve(string? kid) =>
        string.IsNullOrEmpty(kid) ? All : All.Where(k => string.Equals(k.KeyId, kid, StringComparison.Ordinal));

    public static SigningKeys Resolve(JwtOptions options, IHostEnvironment environment)
    {
        var single = !string.IsNullOrEmpty(options.SigningKey);
        var listed = options.SigningKeys.Where(k => !string.IsNullOrEmpty(k.Id) || !string.IsNullOrEmpty(k.Key)).ToList();
        var ephemeral = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(JwtOptions.MinimumKeyBytes)) { KeyId = DefaultId };
        if (!single && listed.Count == 0)
        {
            return environment.IsDevelopment()
                ? new([ephemeral], null, true)
                : Refuse($"Jwt:SigningKey (env Jwt__SigningKey) is not set, nor Jwt:SigningKeys; it must be at least {JwtOptions.MinimumKeyBytes} bytes outside Development.");
        }

        if (single && listed.Count > 0)
        {
            return Refuse($"Jwt:SigningKey and Jwt:SigningKeys are both set; set only Jwt:SigningKeys (the single key there with the id \"{DefaultId}\").");
        }

        var entries = single ? [new SigningKeyOptions { Id = DefaultId, Key = options.SigningKey }] : listed;
        var keys = new List<SymmetricSecurityKey>();
        for (var i = 0; i < entries.Count; i++)
        {
            var (id, key) = (entries[i].Id, entries[i].Key);
            var name = single ? "Jwt:SigningKey (env Jwt__SigningKey)" : $"Jwt:SigningKeys:{i} (env Jwt__SigningKeys__{i}__Key)";
            var bytes = key is null ? 0 : Encoding.UTF8.GetByteCount(key);
            var problem = bytes switch
            {
                _ when string.IsNullOrEmpty(id) => $"Jwt:SigningKeys:{i}:Id is not set; every key needs an id.",
                _ when id.Length > MaxIdLength || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') =>
                    $"Jwt:SigningKeys:{i}:Id must be 1 to {MaxIdLength} letters, digits, '-', '_' or '.'.",
                _ when keys.Any(k => k.KeyId == id) => $"Jwt:SigningKeys:{i}:Id \"{id}\" is used twice; ids must be unique.",
                0 => $"{name} is not set; it must be at least {JwtOptions.MinimumKeyBytes} bytes.",
                < JwtOptions.MinimumKeyBytes => $"{name} is {bytes} bytes; it must be at least {JwtOptions.MinimumKeyBytes}.",
                _ => null,
            };
            if (problem is not null)
            {
                return Refuse(problem);
            }

            keys.Add(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key!)) { KeyId = id });
        }

        return new(keys, null, false);

        SigningKeys Refuse(string problem) => new([ephemeral], problem + " Startup stopped.", false);
    }
}
