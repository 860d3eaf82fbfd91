using NJsonSchema;
using NSwag;

namespace UserService.Infrastructure.Api;

/// <summary>
/// The response headers of the contract, documented so that generated clients know them and the client check
/// (checks/client) can insist on them. ETag travels with every response that carries one user.
/// </summary>
internal static class OpenApiResponseHeaders
{
    public const string ETag = "ETag";
    public const string Location = "Location";
    public const string Link = "Link";
    public const string RetryAfter = "Retry-After";
    public const string CacheControl = "Cache-Control";

    /// <summary>Headers by operation id and status; <c>Retry-After</c> on 429 and 503 is added everywhere.</summary>
    static readonly Dictionary<string, (string Status, string Header)[]> ByOperation = new(StringComparer.Ordinal)
    {
        ["CreateUser"] = [("201", Location), ("201", ETag)],
        ["GetUser"] = [("200", ETag)],
        ["GetCurrentUser"] = [("200", ETag)],
        ["UpdateUser"] = [("200", ETag)],
        ["ListUsers"] = [("200", Link)],
        ["CreateToken"] = [("200", CacheControl)],
        ["RefreshToken"] = [("200", CacheControl)],
    };

    public static void Apply(OpenApiOperation operation)
    {
        foreach (var (status, header) in ByOperation.GetValueOrDefault(operation.OperationId ?? "", []))
        {
            if (operation.Responses.TryGetValue(status, out var response))
            {
                response.Headers[header] = Describe(header);
            }
        }

        foreach (var status in new[] { "429", "503" })
        {
            if (operation.Responses.TryGetValue(status, out var response))
            {
                response.Headers[RetryAfter] = Describe(RetryAfter);
            }
        }
    }

    static OpenApiHeader Describe(string header) => header switch
    {
        ETag => new()
        {
            Description = "The user's current version as a strong entity tag; send it back in `If-Match`.",
            IsRequired = true,
            Schema = new JsonSchema { Type = JsonObjectType.String, Example = "\"1\"" },
        },
        Location => new()
        {
            Description = "Where the new user lives: `/api/users/{id}`.",
            IsRequired = true,
            Schema = new JsonSchema { Type = JsonObjectType.String, Format = "uri-reference" },
        },
        CacheControl => new()
        {
            Description = "`no-store`: an answer carrying tokens is never stored by any cache (RFC 6749, section 5.1).",
            IsRequired = true,
            Schema = new JsonSchema { Type = JsonObjectType.String, Example = "no-store" },
        },
        Link => new()
        {
            Description = "`<…>; rel=\"next\"`: the URL of the next page; absent on the last page.",
            Schema = new JsonSchema { Type = JsonObjectType.String },
        },
        _ => new()
        {
            Description = "Seconds to wait before retrying.",
            IsRequired = true,
            Schema = new JsonSchema { Type = JsonObjectType.Integer, Minimum = 1 },
        },
    };
}
