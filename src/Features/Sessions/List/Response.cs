namespace UserService.Features.Sessions.List;

/// <summary>The caller's live sessions, oldest first.</summary>
internal sealed record Response(IReadOnlyList<SessionResponse> Items);

/// <summary>
/// One session (one sign-in): when it began, when it was last refreshed, when it ends unless refreshed first, and
/// whether it is the session of the access token that asked.
/// </summary>
internal sealed record SessionResponse(Guid Id, DateTime CreatedAt, DateTime LastUsedAt, DateTime ExpiresAt, bool Current);
