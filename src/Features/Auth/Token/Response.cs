namespace UserService.Features.Auth.Token;

/// <summary>An OAuth 2.0 style bearer token answer; <c>expiresIn</c> is in seconds.</summary>
internal sealed record Response(string AccessToken, string TokenType, int ExpiresIn);
