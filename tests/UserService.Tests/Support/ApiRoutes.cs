using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace UserService.Tests.Support;

/// <summary>
/// One operation of the API as the app itself maps it (method, route pattern, FastEndpoints' definition), so that the
/// tests that cover every route cover a new slice without being told about it.
/// </summary>
internal sealed partial record ApiRoute(string Method, string Pattern, string? OperationId, EndpointDefinition Definition, IReadOnlyList<int> Statuses)
{
    static readonly Type[] NotFromBody =
        [typeof(RouteParamAttribute), typeof(QueryParamAttribute), typeof(FromHeaderAttribute), typeof(FromClaimAttribute)];

    public bool IsAnonymous => Definition.AnonymousVerbs?.Contains(Method, StringComparer.OrdinalIgnoreCase) is true;

    public IReadOnlyList<string> Roles => [.. Definition.AllowedRoles ?? []];

    /// <summary>The names in the route pattern, e.g. <c>id</c> for <c>/api/users/{id:guid}</c>.</summary>
    public IReadOnlyList<string> RouteParameters => [.. Parameter().Matches(Pattern).Select(m => m.Groups["name"].Value)];

    /// <summary>The request's query-string parameters, as a client writes them.</summary>
    public IReadOnlyList<string> QueryParameters =>
        [.. RequestProperties(Definition.ReqDtoType).Where(p => p.IsDefined(typeof(QueryParamAttribute))).Select(JsonName)];

    /// <summary>The members of the request's JSON body, as a client writes them; none for a route that takes no body.</summary>
    public IReadOnlyList<string> BodyFields
    {
        get
        {
            if (Method is not ("POST" or "PUT" or "PATCH"))
            {
                return [];
            }

            var properties = RequestProperties(Definition.ReqDtoType);
            var wholeBody = properties.SingleOrDefault(p => p.IsDefined(typeof(FromBodyAttribute)));
            return wholeBody is not null
                ? [.. RequestProperties(wholeBody.PropertyType).Where(p => !Ignored(p)).Select(JsonName)]
                : [.. properties.Where(p => !Ignored(p) && !NotFromBody.Any(a => p.IsDefined(a))).Select(JsonName)];
        }
    }

    /// <summary>The success status the endpoint declares (201, 204, …).</summary>
    public int Success => Statuses.Where(s => s is >= 200 and < 300).DefaultIfEmpty(200).Min();

    /// <summary>The route with every parameter filled in.</summary>
    public string PathWith(string value) => Fill(Pattern, value);

    /// <summary>A route pattern with every parameter filled in.</summary>
    public static string Fill(string pattern, string value) => Parameter().Replace(pattern, _ => value);

    /// <summary>The path as the OpenAPI document names it: constraints left out.</summary>
    public string OpenApiPath => Parameter().Replace(Pattern, m => $"{{{m.Groups["name"].Value}}}");

    public override string ToString() => $"{Method} {Pattern}";

    static PropertyInfo[] RequestProperties(Type type) =>
        type == typeof(EmptyRequest) ? [] : type.GetProperties(BindingFlags.Instance | BindingFlags.Public).Where(p => p.CanWrite).ToArray();

    /// <summary>Never read from JSON; <c>[JsonIgnore(Condition = WhenWritingNull)]</c> (the PATCH body's members) still is.</summary>
    static bool Ignored(PropertyInfo p) => p.GetCustomAttribute<JsonIgnoreAttribute>()?.Condition == JsonIgnoreCondition.Always;

    static string JsonName(PropertyInfo p) =>
        p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(p.Name);

    [GeneratedRegex(@"\{(?<name>[A-Za-z_]\w*)(:[^}]*)?\}")]
    private static partial Regex Parameter();
}

internal static class ApiRoutes
{
    /// <summary>Every FastEndpoints operation the app maps, in a stable order.</summary>
    public static IReadOnlyList<ApiRoute> Of(App app) =>
    [
        .. Endpoints(app)
            .Select(e => (Endpoint: e, Definition: e.Metadata.GetMetadata<EndpointDefinition>()))
            .Where(e => e.Definition is not null)
            .SelectMany(e => e.Endpoint.Metadata.GetRequiredMetadata<HttpMethodMetadata>().HttpMethods.Select(method => new ApiRoute(
                method,
                "/" + e.Endpoint.RoutePattern.RawText!.TrimStart('/'),
                e.Endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName,
                e.Definition!,
                [.. e.Endpoint.Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>().Select(p => p.StatusCode).Distinct().Order()])))
            .OrderBy(r => r.Pattern, StringComparer.Ordinal)
            .ThenBy(r => r.Method, StringComparer.Ordinal),
    ];

    /// <summary>Every route pattern the app maps, its own endpoints and the framework's (health checks, FastEndpoints' test route).</summary>
    public static IReadOnlyList<string> Patterns(App app) =>
        [.. Endpoints(app).Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/')).Distinct().Order(StringComparer.Ordinal)];

    public static ApiRoute Find(App app, string method, string pattern) =>
        Of(app).Single(r => r.Method == method && r.Pattern == pattern);

    /// <summary>
    /// Theory rows (method, pattern) of the routes that match, read from the app when the theory runs: give the
    /// <c>MemberData</c> <c>DisableDiscoveryEnumeration = true</c>, as there is no app at discovery.
    /// </summary>
    public static async Task<TheoryData<string, string>> RowsAsync(Func<ApiRoute, bool> where)
    {
        var app = await TestContext.Current.GetFixture<App>()
                  ?? throw new InvalidOperationException("the route rows need the App fixture");
        var rows = new TheoryData<string, string>();
        foreach (var route in Of(app).Where(where))
        {
            rows.Add(route.Method, route.Pattern);
        }

        return rows;
    }

    static IEnumerable<RouteEndpoint> Endpoints(App app) =>
        app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
}
