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
/// Makes each operation's parameters say how the request binds: headers bound with <c>[FromHeader]</c> are header
/// parameters under their real name (not body properties), query parameters with a default are optional, and the
/// schemas of requests that carry no body are dropped. Runs after FastEndpoints' own processor.
/// </summary>
internal sealed class RequestConventions : IOperationProcessor
{
    public bool Process(OperationProcessorContext context)
    {
        if (context.GetEndpointDefinition() is not { } endpoint)
        {
            return true;
        }

        var operation = context.OperationDescription.Operation;
        DocumentHeaderParameters(operation, endpoint.ReqDtoType);
        DocumentQueryDefaults(context, operation, endpoint.ReqDtoType);

        // FastEndpoints makes a schema of every request type, also of those bound wholly from the route, the query or
        // headers (or emptied above); no operation uses those.
        var schemas = context.Document.Components.Schemas;
        foreach (var empty in schemas.Where(s => s.Value is { IsObject: true, ActualProperties.Count: 0 }).Select(s => s.Key).ToList())
        {
            schemas.Remove(empty);
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

    static string JsonNamingPolicy(string name) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(name);
}
