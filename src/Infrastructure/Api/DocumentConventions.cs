using FastEndpoints;
using NJsonSchema;
using NSwag.Generation.Processors;
using NSwag.Generation.Processors.Contexts;

namespace UserService.Infrastructure.Api;

/// <summary>
/// Whole-document fixes: the problem-details schema states what every error body carries, tags carry their
/// descriptions only when an operation uses them, and schemas and security schemes that no operation uses are
/// dropped.
/// </summary>
internal sealed class DocumentConventions(IReadOnlyDictionary<string, string> tagDescriptions) : IDocumentProcessor
{
    public void Process(DocumentProcessorContext context)
    {
        var document = context.Document;
        DescribeProblemDetails(context);

        var usedTags = document.Operations.SelectMany(o => o.Operation.Tags).ToHashSet(StringComparer.Ordinal);
        document.Tags.Clear();
        foreach (var (name, description) in tagDescriptions.Where(t => usedTags.Contains(t.Key)))
        {
            document.Tags.Add(new() { Name = name, Description = description });
        }

        RemoveUnusedSchemas(document);
        RemoveUnusedSecuritySchemes(document);
        MoveRolesOutOfBearerScopes(document);
    }

    /// <summary>
    /// FastEndpoints lists an endpoint's roles as the scopes of its bearer requirement; OpenAPI 3.0 allows scopes
    /// only for OAuth2 and OpenID Connect. The roles move to the 403 answer's description.
    /// </summary>
    static void MoveRolesOutOfBearerScopes(NSwag.OpenApiDocument document)
    {
        foreach (var operation in document.Operations.Select(o => o.Operation))
        {
            var roles = new List<string>();
            foreach (var requirement in operation.Security ?? [])
            {
                foreach (var scheme in requirement.Keys.ToList())
                {
                    if (document.Components.SecuritySchemes.TryGetValue(scheme, out var definition)
                        && definition.Type is not (NSwag.OpenApiSecuritySchemeType.OAuth2 or NSwag.OpenApiSecuritySchemeType.OpenIdConnect))
                    {
                        roles.AddRange(requirement[scheme]);
                        requirement[scheme] = [];
                    }
                }
            }

            if (roles.Count > 0 && operation.Responses.TryGetValue("403", out var forbidden))
            {
                forbidden.Description = $"Signed in, but without the role {string.Join(" or ", roles.Distinct().Select(r => $"`{r}`"))}.";
            }
        }
    }

    /// <summary>FastEndpoints always declares its bearer scheme; it stays only while some operation asks for it.</summary>
    static void RemoveUnusedSecuritySchemes(NSwag.OpenApiDocument document)
    {
        var used = document.Operations
            .SelectMany(o => o.Operation.Security ?? [])
            .Concat(document.Security ?? [])
            .SelectMany(requirement => requirement.Keys)
            .ToHashSet(StringComparer.Ordinal);
        foreach (var name in document.Components.SecuritySchemes.Keys.Where(n => !used.Contains(n)).ToList())
        {
            document.Components.SecuritySchemes.Remove(name);
        }
    }

    static void DescribeProblemDetails(DocumentProcessorContext context)
    {
        if (!context.SchemaResolver.HasSchema(typeof(ProblemDetails), false))
        {
            return;
        }

        var schema = context.SchemaResolver.GetSchema(typeof(ProblemDetails), false);
        schema.Description = "RFC 9457 problem details. `errors` lists validation failures, one entry per offending field.";
        schema.RequiredProperties.Clear();
        foreach (var required in new[] { "type", "title", "status", "instance", "traceId" })
        {
            schema.RequiredProperties.Add(required);
        }

        foreach (var property in schema.Properties.Values)
        {
            // FastEndpoints' defaults describe one validation failure and mislead about every other status.
            property.Default = null;
        }

        foreach (var property in schema.Properties.Values.Select(p => p.Item?.ActualSchema).OfType<JsonSchema>().SelectMany(s => s.Properties.Values))
        {
            property.Default = null;
        }
    }

    static void RemoveUnusedSchemas(NSwag.OpenApiDocument document)
    {
        while (true)
        {
            var json = document.ToJson();
            var unused = document.Components.Schemas.Keys
                .Where(name => !json.Contains($"\"#/components/schemas/{name}\"", StringComparison.Ordinal))
                .ToList();
            if (unused.Count == 0)
            {
                return;
            }

            foreach (var name in unused)
            {
                document.Components.Schemas.Remove(name);
            }
        }
    }
}
