namespace UserService.Features.Auth.Logout;

internal sealed record Request
{
    /// <summary>A refresh token of the session to end.</summary>
    public string? RefreshToken { get; init; }
}
