using FastEndpoints;

namespace UserService.Features.Users.List;

/// <summary>From the query string only: a JSON body on this GET never sets a list parameter.</summary>
internal sealed record Request
{
    /// <summary>Page size, 1 to 200.</summary>
    [QueryParam]
    public int Limit { get; init; } = 50;

    /// <summary>The <c>nextCursor</c> of the previous page; absent for the first page.</summary>
    [QueryParam]
    public string? Cursor { get; init; }

    /// <summary>Case-insensitive substring of the email or the full name.</summary>
    [QueryParam]
    public string? Q { get; init; }
}
