using FastEndpoints;

namespace UserService.Features.Users.List;

/// <summary>From the query string only: a JSON body on this GET never sets a list parameter.</summary>
/// <param name="Limit">Page size, 1 to 200.</param>
/// <remarks>The constructor holds <c>limit</c>'s default: FastEndpoints binds it and documents the parameter as optional with it.</remarks>
internal sealed record Request([property: QueryParam] int Limit = 50)
{
    /// <summary>The <c>nextCursor</c> of the previous page; absent for the first page.</summary>
    [QueryParam]
    public string? Cursor { get; init; }

    /// <summary>Case-insensitive substring of the email or the full name.</summary>
    [QueryParam]
    public string? Q { get; init; }
}
