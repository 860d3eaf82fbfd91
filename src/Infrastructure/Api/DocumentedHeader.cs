using NJsonSchema;
using NSwag;

namespace UserService.Infrastructure.Api;

/// <summary>
/// A response header as an endpoint documents it in its <c>Configure()</c>:
/// <c>Description(b => b.WithMetadata(new DocumentedHeader(200, "Link", "…", Required: false)))</c>.
/// FastEndpoints' own <c>Summary(s => s.ResponseHeaders)</c> cannot mark a header required, and checks/client
/// insists on the required ones.
/// </summary>
internal sealed record DocumentedHeader(int Status, string Name, string Description, bool Required = true, string? Example = null, string? Format = null)
{
    public OpenApiHeader ToOpenApi() => new()
    {
        Description = Description,
        IsRequired = Required,
        Schema = new JsonSchema { Type = JsonObjectType.String, Example = Example, Format = Format },
    };
}
