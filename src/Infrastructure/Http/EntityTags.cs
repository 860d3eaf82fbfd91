using System.Globalization;
using Microsoft.Net.Http.Headers;

namespace UserService.Infrastructure.Http;

/// <summary>A user's ETag is its row version as a strong tag: <c>"7"</c>.</summary>
internal static class EntityTags
{
    public static string Format(long version) => $"\"{version.ToString(CultureInfo.InvariantCulture)}\"";

    /// <summary>
    /// Reads <c>If-Match</c>. Null means "no precondition" (header absent or <c>*</c>); otherwise the versions it
    /// names. Weak or malformed tags can never match a strong comparison, so they contribute nothing and an
    /// If-Match made only of them fails with 412.
    /// </summary>
    public static long[]? ParseIfMatch(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }

        if (!EntityTagHeaderValue.TryParseList([header], out var tags))
        {
            return [];
        }

        if (tags.Any(t => t.Equals(EntityTagHeaderValue.Any)))
        {
            return null;
        }

        return [.. tags.Where(t => !t.IsWeak)
            .Select(t => long.TryParse(t.Tag.AsSpan(1, t.Tag.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1)
            .Where(v => v >= 0)];
    }
}
