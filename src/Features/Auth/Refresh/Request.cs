namespace UserService.Features.Auth.Refresh;

internal sealed record Request
{
    /// <summary>The session's latest refresh token, from sign-in or the previous refresh.</summary>
    public string? RefreshToken { get; init; }
}
