using FastEndpoints;
using FluentValidation.Results;

namespace UserService.Features.Users;

/// <summary>
/// The answers that the user slices share, each written once with its description for the OpenAPI document: a user
/// always travels with its <c>ETag</c> (docs/http-contract.md), and an id the caller may not see answers exactly like a missing one.
/// </summary>
internal static class UserAnswers
{
    public const string NotFoundDescription = "The user does not exist, or is not the caller's to see.";
    public const string PreconditionFailedDescription = "`If-Match` does not match the user's current `ETag`.";
    public const string EmailTakenDescription = "The email is already taken (compared case-insensitively).";

    /// <summary>Documents the <c>ETag</c> that <see cref="UserAsync"/> and <see cref="CreatedAsync"/> send.</summary>
    public static DocumentedHeader ETagHeader(int status) =>
        new(status, "ETag", "The user's current version as a strong entity tag; send it back in `If-Match`.", Example: "\"1\"");

    /// <summary>For the endpoint's <c>ThrowError(…, 409)</c>: the problem names <c>email</c> like a validation failure.</summary>
    public static ValidationFailure EmailTaken => new("email", "email is already taken.");

    public static Task UserAsync<TRequest>(this ResponseSender<TRequest, UserResponse> send, UserRow user, CancellationToken ct)
        where TRequest : notnull =>
        send.WithETag(user).OkAsync(user.ToResponse(), ct);

    /// <summary>201 with <c>Location</c> pointing at the user's <c>GetUser</c> route.</summary>
    public static Task CreatedAsync<TRequest>(this ResponseSender<TRequest, UserResponse> send, UserRow user, CancellationToken ct)
        where TRequest : notnull =>
        send.WithETag(user).CreatedAtAsync("GetUser", new { id = user.Id }, user.ToResponse(), cancellation: ct);

    public static Task NoSuchUserAsync<TRequest, TResponse>(this ResponseSender<TRequest, TResponse> send)
        where TRequest : notnull =>
        send.ResultAsync(Problems.Result(StatusCodes.Status404NotFound, "No user has this id."));

    public static Task StaleETagAsync<TRequest, TResponse>(this ResponseSender<TRequest, TResponse> send)
        where TRequest : notnull =>
        send.ResultAsync(Problems.Result(StatusCodes.Status412PreconditionFailed, "If-Match does not match the current ETag."));

    static ResponseSender<TRequest, UserResponse> WithETag<TRequest>(this ResponseSender<TRequest, UserResponse> send, UserRow user)
        where TRequest : notnull
    {
        send.HttpContext.Response.Headers.ETag = user.ETag;
        return send;
    }
}
