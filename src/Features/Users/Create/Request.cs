namespace UserService.Features.Users.Create;

internal sealed record Request
{
    public string? Email { get; init; }
    public string? Password { get; init; }
    public string? FullName { get; init; }
}
