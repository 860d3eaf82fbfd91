using FastEndpoints;
using Npgsql;

namespace UserService.Features.Users.Create;

internal sealed class Endpoint(NpgsqlDataSource db, Passwords passwords) : Endpoint<Request, UserResponse>
{
    public override void Configure()
    {
        Post("users");
        AllowAnonymous();
        // Throttled per client address like sign-in: the 409 for a taken email must not be an enumeration oracle at speed.
        Options(b => b.ThrottlePerAddress());
        Description(b => b.WithName("CreateUser")
            .WithMetadata(UserAnswers.ETagHeader(StatusCodes.Status201Created))
            .WithMetadata(new DocumentedHeader(StatusCodes.Status201Created, "Location", "Where the new user lives: `/api/users/{id}`.", Format: "uri-reference")));
        Summary(s =>
        {
            s.Summary = "Sign up: create a user";
            s.Description = "Creates a user with the role `user`. The email is unique case-insensitively (409 when taken); " +
                            "the password is stored only as a salted slow hash.";
            s.Response<UserResponse>(StatusCodes.Status201Created, "The new user, with its `ETag`; `Location` says where it lives.");
            s.Response(StatusCodes.Status409Conflict, UserAnswers.EmailTakenDescription);
            s.Response(StatusCodes.Status429TooManyRequests, "Too many sign-ups from this client address; retry after `Retry-After` seconds.");
        });
    }

    public override async Task HandleAsync(Request req, CancellationToken ct)
    {
        var user = await Data.InsertAsync(db, new(Guid.CreateVersion7(), req.Email!, await passwords.HashAsync(req.Password!, ct), req.FullName!), ct);
        if (user is null)
        {
            ThrowError(UserAnswers.EmailTaken, StatusCodes.Status409Conflict);
        }

        await Send.CreatedAsync(user, ct);
    }
}
