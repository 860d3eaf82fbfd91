namespace UserService.Features.Users.List;

internal sealed record Response(IReadOnlyList<UserResponse> Items, string? NextCursor);
