namespace UserService.Features.Users.Get;

internal sealed record Request
{
    public Guid Id { get; init; }
}
