using System.Globalization;
using System.Reflection;
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
/// What holds for every operation; what is particular to one is declared in its endpoint's <c>Configure()</c> and its
/// request type. Runs after FastEndpoints' own processor, and fills two of its gaps in describing requests.
/// </summary>
internal sealed class OperationConventions : IOperationProcessor
{
    /// <summary>The statuses the pipeline itself can answer, and what they mean where the endpoint says nothing more.</summary>
    static readonly Dictionary<string, string> PipelineAnswers = new(StringComparer.Ordinal)
    {
        ["400"] = "Validation failure, malformed JSON, wrong JSON types or unknown properties; `errors` names each offending field.",
        ["401"] = "Missing, invalid or expired bearer token.",
        ["403"] = "Signed in, but not allowed to do this.",
        ["413"] = "The request body is larger than 64 KiB.",
        ["415"] = "The request body is not JSON (`application/json` or `application/merge-patch+json`).",
        ["500"] = "An unexpected error: a bug, never caused by the request.",
        ["503"] = "The database is unreachable or busy; retry after `Retry-After` seconds.",
    };

    /// <summary>FastEndpoints' fallback texts, which those meanings replace (an endpoint's own text is kept).</summary>
    static readonly HashSet<string> FallbackTexts = ["", "Bad Request", "Unauthorized", "Forbidden", "Server Error"];

    public bool Process(OperationProcessorContext context)
    {
        if (context.GetEndpointDefinition() is not { } endpoint)
        {
            return true;
        }

        var operation = context.OperationDescription.Operation;
        NameHeaderParameters(operation, endpoint.ReqDtoType);
        LimitQueryParameters(context, operation, endpoint.ReqDtoType);

        // NSwag drops an empty list, so "no security" is one empty requirement: security: [{}]. FastEndpoints lists the
        // roles as scopes, which OpenAPI 3.0 allows only for OAuth2 and OpenID Connect: they go to the 403 answer.
        var anonymous = (operation.Security ??= []).Count == 0;
        if (anonymous)
        {
            operation.Security.Add([]);
        }

        foreach (var requirement in operation.Security)
        {
            foreach (var scheme in requirement.Keys.ToList())
            {
                requirement[scheme] = [];
            }
        }

        // Any operation can fail or find the database gone; a body can be invalid, too large or not JSON; a bearer
        // token can be missing or revoked.
        var pipeline = new[] { "500", "503" }.Concat(operation.RequestBody is null ? [] : ["400", "413", "415"]).Concat(anonymous ? [] : ["401"]);
        foreach (var status in pipeline)
        {
            operation.Responses.TryAdd(status, new OpenApiResponse());
        }

        var problem = ProblemSchema(context);
        var headers = ((AspNetCoreOperationProcessorContext)context).ApiDescription.ActionDescriptor.EndpointMetadata.OfType<DocumentedHeader>().ToList();
        foreach (var (status, response) in operation.Responses)
        {
            foreach (var header in headers.Where(h => h.Status.ToString(CultureInfo.InvariantCulture) == status))
            {
                response.Headers[header.Name] = header.ToOpenApi();
            }

            if (status[0] is '4' or '5')
            {
                if (response.Content.Count == 0)
                {
                    response.Content["application/problem+json"] = new OpenApiMediaType { Schema = problem };
                }

                if (FallbackTexts.Contains(response.Description ?? ""))
                {
                    response.Description = status == "403" && endpoint.AllowedRoles is { Count: > 0 } roles
                        ? $"Signed in, but without the role {string.Join(" or ", roles.Select(r => $"`{r}`"))}."
                        : PipelineAnswers.GetValueOrDefault(status) ?? response.Description;
                }
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

        return true;
    }

    /// <summary>
    /// A <c>[FromHeader("If-Match")]</c> property is a header parameter of that very name: FastEndpoints camel-cases the
    /// name (<c>if-Match</c>) and, where <c>Accepts&lt;T&gt;</c> names the body's type, leaves the header out.
    /// </summary>
    static void NameHeaderParameters(OpenApiOperation operation, Type requestType)
    {
        foreach (var property in requestType.GetProperties())
        {
            if (property.GetCustomAttribute<FromHeaderAttribute>() is { HeaderName: { } name } header)
            {
                operation.Parameters.Remove(operation.Parameters.FirstOrDefault(p => p.Kind == OpenApiParameterKind.Header && p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)));
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = name,
                    Kind = OpenApiParameterKind.Header,
                    IsRequired = header.IsRequired,
                    Description = property.GetXmlDocsSummary(),
                    Schema = new JsonSchema { Type = JsonObjectType.String },
                });
            }
        }
    }

    /// <summary>FastEndpoints puts the validator's limits on body properties only; query parameters get them here.</summary>
    static void LimitQueryParameters(OperationProcessorContext context, OpenApiOperation operation, Type requestType)
    {
        var queries = operation.Parameters.Where(p => p.Kind == OpenApiParameterKind.Query).ToList();
        if (queries.Count == 0)
        {
            return;
        }

        var validated = context.SchemaGenerator.Generate(requestType).ActualProperties;
        foreach (var parameter in queries)
        {
            if (validated.TryGetValue(parameter.Name, out var rules))
            {
                parameter.Schema.Minimum ??= rules.Minimum;
                parameter.Schema.Maximum ??= rules.Maximum;
                parameter.Schema.MinLength ??= rules.MinLength;
                parameter.Schema.MaxLength ??= rules.MaxLength;
                parameter.Schema.Pattern ??= rules.Pattern;
            }
        }
    }

    /// <summary>A reference to the problem-details schema, which states what every error body carries.</summary>
    static JsonSchema ProblemSchema(OperationProcessorContext context)
    {
        var reference = context.SchemaGenerator.GenerateWithReference<JsonSchema>(typeof(ProblemDetails).ToContextualType(), context.SchemaResolver);
        var schema = reference.ActualSchema;
        schema.Description = "RFC 9457 problem details. `errors` lists validation failures, one entry per offending field.";
        schema.RequiredProperties.Remove("errors");

        // FastEndpoints' defaults describe one validation failure and mislead about every other status.
        foreach (var property in schema.Properties.Values.Concat(schema.Properties.Values.SelectMany(p => p.Item?.ActualSchema.Properties.Values ?? [])))
        {
            property.Default = null;
        }

        return reference;
    }
}
