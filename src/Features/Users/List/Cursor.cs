using System.Buffers.Text;
using System.Security.Cryptography;

namespace UserService.Features.Users.List;

/// <summary>
/// The opaque keyset cursor: the last id of a page plus a MAC, so a cursor the service did not issue (edited,
/// truncated, made up) is rejected. It hides nothing secret; the MAC only makes it tamper-evident. The MAC key is
/// derived (HKDF-SHA256, its own info label) from the deployment's token signing key: no new setting, the same key
/// on every instance, and no key in the source for anyone to forge cursors with.
/// </summary>
[Singleton]
internal sealed class Cursor : IDisposable
{
    const int IdBytes = 16;
    const int MacBytes = 8;

    static readonly byte[] Info = "UserService/List/Cursor/v2"u8.ToArray();

    // One keyed HMAC per thread, reused: the one-shot HMACSHA256.HashData asks OpenSSL to look the algorithm up and
    // set the key again on every call, which showed as 4% of a list page's CPU (bench/README.md).
    readonly ThreadLocal<HMACSHA256> hmac;

    public Cursor(SigningKeys signingKeys)
    {
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, signingKeys.Current.Key, HMACSHA256.HashSizeInBytes, salt: [], info: Info);
        hmac = new(() => new HMACSHA256(key), trackAllValues: true);
    }

    public void Dispose()
    {
        foreach (var h in hmac.Values)
        {
            h.Dispose();
        }

        hmac.Dispose();
    }

    public string Encode(Guid lastId)
    {
        Span<byte> buffer = stackalloc byte[IdBytes + MacBytes];
        lastId.TryWriteBytes(buffer[..IdBytes], bigEndian: true, out _);
        Mac(buffer[..IdBytes], buffer[IdBytes..]);
        return Base64Url.EncodeToString(buffer);
    }

    public bool TryDecode(string? cursor, out Guid lastId)
    {
        lastId = Guid.Empty;
        if (string.IsNullOrEmpty(cursor) || cursor.Length > 64)
        {
            return false;
        }

        Span<byte> buffer = stackalloc byte[48];
        if (!Base64Url.IsValid(cursor) || !Base64Url.TryDecodeFromChars(cursor, buffer, out var written) || written != IdBytes + MacBytes)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[MacBytes];
        Mac(buffer[..IdBytes], expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, buffer[IdBytes..written]))
        {
            return false;
        }

        lastId = new Guid(buffer[..IdBytes], bigEndian: true);
        return true;
    }

    /// <summary>Writes the first <see cref="MacBytes"/> bytes of HMAC-SHA256(derived key, id) into mac.</summary>
    void Mac(ReadOnlySpan<byte> id, Span<byte> mac)
    {
        Span<byte> full = stackalloc byte[HMACSHA256.HashSizeInBytes];
        hmac.Value!.TryComputeHash(id, full, out _);
        full[..MacBytes].CopyTo(mac);
    }
}
