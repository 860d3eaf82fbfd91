using System.Buffers.Text;
using System.Security.Cryptography;

namespace UserService.Features.Users.List;

/// <summary>
/// The opaque keyset cursor: the last id of a page plus a MAC, so a cursor the service did not issue (edited,
/// truncated, made up) is rejected. It hides nothing secret; the MAC only makes it tamper-evident.
/// </summary>
internal static class Cursor
{
    static readonly byte[] Key = "UserService/List/Cursor/v1"u8.ToArray();
    const int IdBytes = 16;
    const int MacBytes = 8;

    public static string Encode(Guid lastId)
    {
        Span<byte> buffer = stackalloc byte[IdBytes + MacBytes];
        lastId.TryWriteBytes(buffer[..IdBytes], bigEndian: true, out _);
        HMACSHA256.HashData(Key, buffer[..IdBytes])[..MacBytes].CopyTo(buffer[IdBytes..]);
        return Base64Url.EncodeToString(buffer);
    }

    public static bool TryDecode(string? cursor, out Guid lastId)
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

        var expected = HMACSHA256.HashData(Key, buffer[..IdBytes])[..MacBytes];
        if (!CryptographicOperations.FixedTimeEquals(expected, buffer[IdBytes..written]))
        {
            return false;
        }

        lastId = new Guid(buffer[..IdBytes], bigEndian: true);
        return true;
    }
}
