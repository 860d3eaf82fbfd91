namespace UserService.Features.Users.List;

internal sealed record Request
{
    /// <summary>Page size, 1 to 200.</summary>
    public int Limit { get; init; } = 50;

    /// <summary>The <c>nextCursor</c> of the previous page; absent for the first page.</summary>
    public string? Cursor { get; init; }

    /// <summary>Case-insensitive substring of the email or the full name.</summary>
    public string? Q { get; init; }
}
