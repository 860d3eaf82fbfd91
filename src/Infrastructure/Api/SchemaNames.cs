using NJsonSchema.Generation;

namespace UserService.Infrastructure.Api;

/// <summary>
/// Schema names that are unique by construction and still short: the type's namespace below
/// <c>UserService.Features</c> plus its name (<c>UsersCreateRequest</c>, <c>UsersUserResponse</c>), so that feature
/// classes can all be called <c>Request</c> without clashing. FastEndpoints' own types lose their prefix
/// (<c>ProblemDetails</c>).
/// </summary>
internal sealed class SchemaNames : ISchemaNameGenerator
{
    static readonly string[] Prefixes = ["UserService.Features.", "UserService.", "FastEndpoints."];

    public string Generate(Type type)
    {
        if (type.IsGenericType)
        {
            return Generate(type.GetGenericTypeDefinition()) + "Of" + string.Concat(type.GetGenericArguments().Select(Generate));
        }

        var name = type.FullName ?? type.Name;
        var prefix = Prefixes.FirstOrDefault(p => name.StartsWith(p, StringComparison.Ordinal)) ?? "";
        return name[prefix.Length..].Replace(".", "", StringComparison.Ordinal).Replace("+", "", StringComparison.Ordinal).Split('`')[0];
    }
}
