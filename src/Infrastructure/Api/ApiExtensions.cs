using System.Text.Json.Serialization;
using FastEndpoints;
using FastEndpoints.Swagger;
using Microsoft.Extensions.Options;
using NJsonSchema;
using NJsonSchema.Generation.TypeMappers;
using UserService.Infrastructure.Errors;

namespace UserService.Infrastructure.Api;

internal static class ApiExtensions
{
    /// <summary>Every endpoint's route starts with it; middleware that concerns the API alone tests <see cref="BasePath"/>.</summary>
    public const string RoutePrefix = "api";

    public static readonly PathString BasePath = new("/" + RoutePrefix);

    public static WebApplicationBuilder AddApi(this WebApplicationBuilder builder)
    {
        // Needed when the pipeline is built (UseApi): see AddBuildTimeOptions. A bool has no invalid value once bound.
        builder.AddBuildTimeOptions<ApiOptions>(ApiOptions.Section);
        builder.Services.AddFastEndpoints();
        // FastEndpoints registers endpoints and validators; a slice's own long-lived services say [Singleton].
        foreach (var type in typeof(ApiExtensions).Assembly.GetTypes().Where(t => t.IsDefined(typeof(SingletonAttribute), inherit: false)))
        {
            builder.Services.AddSingleton(type);
        }

        builder.Services.SwaggerDocument(o =>
        {
            o.TagDescriptions = t =>
            {
                t["Users"] = "User accounts: sign-up, read, change, delete, list; the caller's sessions.";
                t["Auth"] = "Sign in for a bearer token and a refresh token, refresh, sign out.";
            };
            // Request types bound wholly from the route, the query or headers leave an empty schema that no operation uses.
            o.RemoveEmptyRequestSchema = true;
            o.DocumentSettings = s =>
            {
                s.DocumentName = "v1";
                s.Title = "UserService";
                s.Version = "v1";
                s.Description = "User accounts over REST, on one shared PostgreSQL connection pool.";
                s.SchemaSettings.SchemaNameGenerator = new SchemaNames();
                s.SchemaSettings.TypeMappers.Add(new PrimitiveTypeMapper(typeof(Guid), g =>
                {
                    g.Type = JsonObjectType.String;
                    g.Format = "uuid"; // the OpenAPI format registry's name; NJsonSchema says "guid"
                }));
                s.MarkNonNullablePropsAsRequired();
                s.OperationProcessors.Add(new OperationConventions());
            };
        });
        return builder;
    }

    public static WebApplication UseApi(this WebApplication app)
    {
        app.UseFastEndpoints(c =>
        {
            c.Endpoints.RoutePrefix = RoutePrefix;
            c.Errors.UseProblemDetails(p => p.TitleTransformer = pd => Problems.Title(pd.Status));
            // No client can set a property the contract does not list (id, role, createdAt, ...).
            c.Serializer.Options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            c.Serializer.Options.AllowDuplicateProperties = false;
            c.Binding.JsonExceptionTransformer = JsonErrors.Describe;
        });
        // The OpenAPI document and Swagger UI map the whole attack surface for a reader: on by default only in
        // Development and Testing; elsewhere only when Api:ExposeOpenApi is true.
        if (app.Services.GetRequiredService<IOptions<ApiOptions>>().Value.ExposeOpenApi ?? (app.Environment.IsDevelopment() || app.Environment.IsEnvironment("Testing")))
        {
            app.UseSwaggerGen(uiConfig: ui =>
            {
                ui.ShowOperationIDs();
                ui.DocExpansion = "list";
            });
        }

        return app;
    }
}
