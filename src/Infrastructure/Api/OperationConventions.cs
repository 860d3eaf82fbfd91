using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
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
/// The rules that hold for every operation; what is particular to one (its answers, their texts and headers) is declared
/// in its endpoint's <c>Configure()</c>. Headers bound with <c>[FromHeader]</c> are header parameters under their real
/// name, query parameters with a default are optional, every error answer is problem details, the statuses the
/// pipeline can answer anywhere are listed, and anonymous operations say so with an empty security requirement.
/// Runs after FastEndpoints' own processor.
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
        DocumentHeaderParameters(operation, endpoint.ReqDtoType);
        DocumentQueryDefaults(context, operation, endpoint.ReqDtoType);

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

        string[] pipeline = ["500", "503", .. operation.RequestBody is null ? [] : new[] { "400", "413", "415" }, .. anonymous ? [] : new[] { "401" }];
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
                response.Description = endpoint.EndpointSummary?.Responses.GetValueOrDefault(int.Parse(status, CultureInfo.InvariantCulture))
                                       ?? (status == "403" && endpoint.AllowedRoles is { Count: > 0 } roles
                                           ? $"Signed in, but without the role {string.Join(" or ", roles.Select(r => $"`{r}`"))}."
                                           : PipelineDescriptions.GetValueOrDefault(status, response.Description ?? ""));
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

        // FastEndpoints makes a schema of every request type, also of those bound wholly from the route, the query or
        // headers (or emptied above); no operation uses those.
        var schemas = context.Document.Components.Schemas;
        foreach (var empty in schemas.Where(s => s.Value is { IsObject: true, ActualProperties.Count: 0 }).Select(s => s.Key).ToList())
        {
            schemas.Remove(empty);
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

    /// <summary>
    /// FastEndpoints camel-cases header names (<c>if-Match</c>), and where the request has a <c>[FromBody]</c>
    /// property or an <c>Accepts&lt;T&gt;</c> it forgets the header; it also leaves the property in the body schema.
    /// </summary>
    static void DocumentHeaderParameters(OpenApiOperation operation, Type requestType)
    {
        var properties = requestType.GetProperties(BindingFlags.Public | BindingFlags.Instance);
        var bodyIsTheRequest = !properties.Any(p => p.IsDefined(typeof(FromBodyAttribute)));
        foreach (var property in properties)
        {
            if (property.GetCustomAttribute<FromHeaderAttribute>() is not { } header)
            {
                continue;
            }

            var name = header.HeaderName ?? property.Name;
            foreach (var stale in operation.Parameters.Where(p => p.Kind == OpenApiParameterKind.Header && string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).ToList())
            {
                operation.Parameters.Remove(stale);
            }

            operation.Parameters.Add(new OpenApiParameter
            {
                Name = name,
                Kind = OpenApiParameterKind.Header,
                IsRequired = header.IsRequired,
                Description = property.GetXmlDocsSummary() is { Length: > 0 } summary ? summary : null,
                Schema = new JsonSchema { Type = JsonObjectType.String },
            });

            if (bodyIsTheRequest)
            {
                RemoveFromBody(operation, JsonNamingPolicy(property.Name));
            }
        }
    }

    static void RemoveFromBody(OpenApiOperation operation, string property)
    {
        if (operation.RequestBody is not { } body)
        {
            return;
        }

        foreach (var schema in body.Content.Values.Select(c => c.Schema?.ActualSchema).OfType<JsonSchema>())
        {
            schema.Properties.Remove(property);
            schema.RequiredProperties.Remove(property);
        }

        if (body.Content.Values.All(c => c.Schema?.ActualSchema.ActualProperties.Count is null or 0))
        {
            operation.RequestBody = null;
        }
    }

    /// <summary>
    /// A query parameter is optional unless its property is <c>required</c>: a missing one binds to the property's
    /// initial value, which becomes the documented default. Limits come from the request's validator.
    /// </summary>
    static void DocumentQueryDefaults(OperationProcessorContext context, OpenApiOperation operation, Type requestType)
    {
        var queries = operation.Parameters.Where(p => p.Kind == OpenApiParameterKind.Query).ToList();
        if (queries.Count == 0)
        {
            return;
        }

        var defaults = requestType.GetConstructor(Type.EmptyTypes) is null ? null : Activator.CreateInstance(requestType);
        var validated = context.SchemaGenerator.Generate(requestType);
        foreach (var parameter in queries)
        {
            var property = requestType.GetProperty(parameter.Name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null || property.IsDefined(typeof(RequiredMemberAttribute)) || property.IsDefined(typeof(RequiredAttribute)))
            {
                continue;
            }

            parameter.IsRequired = false;
            var value = defaults is null ? null : property.GetValue(defaults);
            var schema = parameter.Schema;
            if (value is not null && !(property.PropertyType.IsValueType && value.Equals(Activator.CreateInstance(property.PropertyType))))
            {
                schema.Default = value;
            }

            if (validated.ActualProperties.TryGetValue(parameter.Name, out var rules))
            {
                schema.Minimum ??= rules.Minimum;
                schema.Maximum ??= rules.Maximum;
                schema.MinLength ??= rules.MinLength;
                schema.MaxLength ??= rules.MaxLength;
                schema.Pattern ??= rules.Pattern;
            }
        }
    }

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

    static string JsonNamingPolicy(string name) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(name);
}
