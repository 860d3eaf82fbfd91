using FastEndpoints;
using Npgsql;

namespace UserService.Features.Users.List;

internal sealed class Endpoint(NpgsqlDataSource db, Cursor cursor) : Endpoint<Request, Response>
{
    public override void Configure()
    {
        Get("users");
        Roles(Caller.Admin);
        Description(b => b.WithName("ListUsers")
            .WithMetadata(new DocumentedHeader(StatusCodes.Status200OK, "Link", "`<…>; rel=\"next\"`: the URL of the next page; absent on the last page.", Required: false)));
        Summary(s =>
        {
            s.Summary = "List users, a page at a time";
            s.Description = "Admins only. Keyset pagination, newest last. Pass `nextCursor` back as `cursor` for the next page " +
                            "(also given as a `Link: <…>; rel=\"next\"` header); it is null on the last page. " +
                            "`q` filters by a case-insensitive substring of the email or the full name.";
            s.Response<Response>(StatusCodes.Status200OK, "One page of users.");
            s.Response(StatusCodes.Status400BadRequest, "`limit` is outside 1 to 200, or `cursor` is not one the service issued.");
        });
    }

    public override async Task HandleAsync(Request req, CancellationToken ct)
    {
        Guid? after = cursor.TryDecode(req.Cursor, out var lastId) ? lastId : null;
        var q = req.Q?.Trim();
        var rows = await Data.PageAsync(db, after, q, req.Limit, ct);

        string? next = null;
        if (rows.Count > req.Limit)
        {
            rows.RemoveAt(rows.Count - 1);
            next = cursor.Encode(rows[^1].Id);
            HttpContext.Response.Headers.Link = $"<{NextPageUrl(req.Limit, q, next)}>; rel=\"next\"";
        }

        await Send.OkAsync(new Response([.. rows.Select(r => r.ToResponse())], next), ct);
    }

    string NextPageUrl(int limit, string? q, string cursor)
    {
        var query = QueryString.Create(new Dictionary<string, string?>
        {
            ["limit"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["cursor"] = cursor,
            ["q"] = string.IsNullOrEmpty(q) ? null : q,
        }.Where(p => p.Value is not null));
        return $"{HttpContext.Request.PathBase}{HttpContext.Request.Path}{query}";
    }
}
