using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Runtime.CompilerServices;
using FastEndpoints;
using FastEndpoints.Swagger;
using Namotion.Reflection;
using NJsonSchema;
using NSwag;
using NSwag.Generation.Processors;
using NSwag.Generation.Processors.Contexts;

namespace UserService.Infrastructure.Api;

/// <summary>
/// Makes each operation say what the service really does: headers bound with <c>[FromHeader]</c> are header
/// parameters under their real name (not body properties), query parameters with a default are optional, every
/// status the pipeline can answer is listed with its problem-details schema, and anonymous operations say so
/// with an empty security requirement. Runs after FastEndpoints' own processor.
/// </summary>
internal sealed class OperationConventions : IOperationProcessor
{
    const string ProblemJson = "application/problem+json";

    static readonly Dictionary<string, string> ErrorDescriptions = new(StringComparer.Ordinal)
    {
        ["400"] = "Validation failure, malformed JSON, wrong JSON types or unknown properties; `errors` names each offending field.",
        ["401"] = "Missing, invalid or expired bearer token.",
        ["403"] = "Signed in, but not allowed to do this.",
        ["404"] = "The user (or session) does not exist, or is not the caller's to see.",
        ["409"] = "The email is already taken (compared case-insensitively).",
        ["412"] = "`If-Match` does not match the current `ETag`.",
        ["413"] = "The request body is larger than 64 KiB.",
        ["415"] = "The request body is not JSON (`application/json` or `application/merge-patch+json`).",
        ["429"] = "Too many attempts; retry after `Retry-After` seconds.",
        ["500"] = "An unexpected error: a bug, never caused by the request.",
        ["503"] = "The database is unreachable or busy; retry after `Retry-After` seconds.",
    };

    const string CredentialsRefused = "The credentials sent are not accepted: a wrong email or password, or a refresh token that is " +
                                      "expired, unknown, malformed, spent or revoked (one answer for all).";

    /// <summary>FastEndpoints' fallback texts, which the contract's meanings above replace.</summary>
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

        var problem = ProblemSchema(context);
        var hasBody = operation.RequestBody is not null;
        EnsureProblem(operation, problem, "500");
        EnsureProblem(operation, problem, "503");
        if (hasBody)
        {
            EnsureProblem(operation, problem, "400");
            EnsureProblem(operation, problem, "413");
            EnsureProblem(operation, problem, "415");
        }

        if (!anonymous)
        {
            EnsureProblem(operation, problem, "401");
        }

        foreach (var (status, response) in operation.Responses)
        {
            if (ErrorDescriptions.TryGetValue(status, out var text) && GenericDescriptions.Contains(response.Description ?? ""))
            {
                // On an anonymous route a 401 is about what the body carries (password or refresh token), not a bearer token.
                response.Description = anonymous && status == "401" ? CredentialsRefused : text;
            }
        }

        OpenApiResponseHeaders.Apply(operation);
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

    static JsonSchema ProblemSchema(OperationProcessorContext context) =>
        context.SchemaGenerator.GenerateWithReference<JsonSchema>(typeof(ProblemDetails).ToContextualType(), context.SchemaResolver);

    static void EnsureProblem(OpenApiOperation operation, JsonSchema problem, string status)
    {
        if (operation.Responses.ContainsKey(status))
        {
            return;
        }

        var response = new OpenApiResponse { Description = ErrorDescriptions[status] };
        response.Content[ProblemJson] = new OpenApiMediaType { Schema = problem };
        operation.Responses[status] = response;
    }

    static string JsonNamingPolicy(string name) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(name);
}
