using System.Globalization;
using FastEndpoints;
using FastEndpoints.Swagger;
using Namotion.Reflection;
using NJsonSchema;
using NSwag;
using NSwag.Generation.AspNetCore;
using NSwag.Generation.Processors;
using NSwag.Generation.Processors.Contexts;

namespace UserService.Infrastructure.Api;

/// <summary>
/// The rules for the answers of every operation; what is particular to one (its answers, their texts and headers) is
/// declared in its endpoint's <c>Configure()</c>. Every error answer is problem details, the statuses that the pipeline
/// can answer anywhere are listed, roles show in the 403 answer, and anonymous operations say so with an empty security
/// requirement. Runs after FastEndpoints' own processor.
/// </summary>
internal sealed class OperationConventions : IOperationProcessor
{
    const string ProblemJson = "application/problem+json";

    /// <summary>What the statuses that the pipeline itself answers mean, unless the endpoint says more.</summary>
    static readonly Dictionary<string, string> PipelineDescriptions = new(StringComparer.Ordinal)
    {
        ["400"] = "Validation failure, malformed JSON, wrong JSON types or unknown properties; `errors` names each offending field.",
        ["401"] = "Missing, invalid or expired bearer token.",
        ["403"] = "Signed in, but not allowed to do this.",
        ["413"] = "The request body is larger than 64 KiB.",
        ["415"] = "The request body is not JSON (`application/json` or `application/merge-patch+json`).",
        ["500"] = "An unexpected error: a bug, never caused by the request.",
        ["503"] = "The database is unreachable or busy; retry after `Retry-After` seconds.",
    };

    /// <summary>FastEndpoints' fallback texts, which an endpoint's own text or the meanings above replace.</summary>
    static readonly HashSet<string> GenericDescriptions = ["", "Bad Request", "Unauthorized", "Forbidden", "Not Found", "Too Many Requests", "Server Error"];

    public bool Process(OperationProcessorContext context)
    {
        if (context.GetEndpointDefinition() is not { } endpoint)
        {
            return true;
        }

        var operation = context.OperationDescription.Operation;

        // NSwag drops an empty list, so "no security" is written as one empty requirement: security: [{}].
        operation.Security ??= [];
        var anonymous = operation.Security.Count == 0;
        if (anonymous)
        {
            operation.Security.Add(new OpenApiSecurityRequirement());
        }

        foreach (var requirement in operation.Security)
        {
            // FastEndpoints lists the roles as scopes of the bearer requirement; OpenAPI 3.0 allows scopes only for
            // OAuth2 and OpenID Connect. The roles go to the 403 answer's description instead.
            foreach (var scheme in requirement.Keys.ToList())
            {
                requirement[scheme] = [];
            }
        }

        // Any operation can fail or find the database gone; a body can be invalid, too large or not JSON; a bearer
        // token can be missing or revoked.
        var pipeline = new List<string> { "500", "503" };
        if (operation.RequestBody is not null)
        {
            pipeline.AddRange(["400", "413", "415"]);
        }

        if (!anonymous)
        {
            pipeline.Add("401");
        }

        foreach (var status in pipeline)
        {
            operation.Responses.TryAdd(status, new OpenApiResponse());
        }

        var problem = ProblemSchema(context);
        foreach (var (status, response) in operation.Responses.Where(r => r.Key[0] is '4' or '5'))
        {
            if (response.Content.Count == 0)
            {
                response.Content[ProblemJson] = new OpenApiMediaType { Schema = problem };
            }

            if (GenericDescriptions.Contains(response.Description ?? ""))
            {
                response.Description = Describe(endpoint, status) ?? response.Description;
            }

            // The throttles and the 503 answer set it wherever they answer.
            if (status is "429" or "503")
            {
                response.Headers["Retry-After"] = new OpenApiHeader
                {
                    Description = "Seconds to wait before retrying.",
                    IsRequired = true,
                    Schema = new JsonSchema { Type = JsonObjectType.Integer, Minimum = 1 },
                };
            }
        }

        var metadata = (context as AspNetCoreOperationProcessorContext)?.ApiDescription.ActionDescriptor.EndpointMetadata ?? [];
        foreach (var header in metadata.OfType<DocumentedHeader>())
        {
            if (operation.Responses.TryGetValue(header.Status.ToString(CultureInfo.InvariantCulture), out var response))
            {
                response.Headers[header.Name] = header.ToOpenApi();
            }
        }

        return true;
    }

    /// <summary>The endpoint's own text for a status, else what the pipeline means by it.</summary>
    static string? Describe(EndpointDefinition endpoint, string status) =>
        endpoint.EndpointSummary?.Responses.GetValueOrDefault(int.Parse(status, CultureInfo.InvariantCulture))
        ?? (status == "403" && endpoint.AllowedRoles is { Count: > 0 } roles
            ? $"Signed in, but without the role {string.Join(" or ", roles.Select(r => $"`{r}`"))}."
            : PipelineDescriptions.GetValueOrDefault(status));

    /// <summary>A reference to the problem-details schema, which states what every error body carries.</summary>
    static JsonSchema ProblemSchema(OperationProcessorContext context)
    {
        var reference = context.SchemaGenerator.GenerateWithReference<JsonSchema>(typeof(ProblemDetails).ToContextualType(), context.SchemaResolver);
        var schema = reference.ActualSchema;
        schema.Description = "RFC 9457 problem details. `errors` lists validation failures, one entry per offending field.";
        schema.RequiredProperties.Clear();
        foreach (var required in new[] { "type", "title", "status", "instance", "traceId" })
        {
            schema.RequiredProperties.Add(required);
        }

        // FastEndpoints' defaults describe one validation failure and mislead about every other status.
        foreach (var property in schema.Properties.Values.Concat(schema.Properties.Values.SelectMany(p => p.Item?.ActualSchema.Properties.Values ?? [])))
        {
            property.Default = null;
        }

        return reference;
    }
}
