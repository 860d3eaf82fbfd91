using System.Text.Json.Serialization;
using FastEndpoints;

namespace UserService.Features.Users.Update;

internal sealed record Request
{
    /// <summary>From the route only: a query-string or body <c>id</c> never overrides it.</summary>
    [RouteParam]
    public Guid Id { get; init; }

    /// <summary>Optional strong ETag; when given and stale, the answer is 412.</summary>
    // From the header only: DontBind keeps a query-string ifMatch out (no JSON body ever binds to this type).
    [FromHeader("If-Match", IsRequired = false, RemoveFromSchema = true), DontBind(Source.All)]
    public string? IfMatch { get; init; }

    /// <summary>The whole body; its own type, so that <c>id</c> or any unlisted property in it is rejected.</summary>
    [FromBody]
    public Patch? Body { get; init; }
}

/// <summary>
/// A JSON merge patch (RFC 7396): absent fields stay unchanged. The setters record presence, so an explicit
/// <c>null</c> (which would mean "remove") is told apart from absence and rejected. Writing skips nulls, so a
/// .NET client serializing this type sends only what it set.
/// </summary>
internal sealed record Patch
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Email { get; init { field = value; HasEmail = true; } }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? FullName { get; init { field = value; HasFullName = true; } }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Password { get; init { field = value; HasPassword = true; } }

    /// <summary>Required with <c>password</c> when users change their own password.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? CurrentPassword { get; init; }

    /// <summary><c>user</c> or <c>admin</c>; only an admin may send it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Role { get; init { field = value; HasRole = true; } }

    internal bool HasEmail { get; private set; }
    internal bool HasFullName { get; private set; }
    internal bool HasPassword { get; private set; }
    internal bool HasRole { get; private set; }
}
