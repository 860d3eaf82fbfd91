using FastEndpoints;
using Npgsql;

namespace UserService.Features.Users.Get;

internal sealed class Endpoint(NpgsqlDataSource db) : Endpoint<Request, UserResponse>
{
    public override void Configure()
    {
        Get("users/{id:guid}");
        AllowAnonymous();
        Description(b => b.WithName("GetUser")
            .ProducesProblemDetails(StatusCodes.Status404NotFound)
            .ProducesProblemDetails(StatusCodes.Status503ServiceUnavailable));
        Summary(s =>
        {
            s.Summary = "Get one user";
            s.Description = "Returns the user and its current `ETag`; 404 when no user has this id.";
        });
    }

    public override async Task HandleAsync(Request req, CancellationToken ct)
    {
        var user = await Data.FindAsync(db, req.Id, ct);
        if (user is null)
        {
            await Send.ResultAsync(Problems.Result(StatusCodes.Status404NotFound, "No user has this id."));
            return;
        }

        HttpContext.Response.Headers.ETag = user.ETag;
        await Send.OkAsync(user.ToResponse(), ct);
    }
}
