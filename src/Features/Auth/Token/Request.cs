namespace UserService.Features.Auth.Token;

internal sealed record Request
{
    public string? Email { get; init; }
    public string? Password { get; init; }
}
