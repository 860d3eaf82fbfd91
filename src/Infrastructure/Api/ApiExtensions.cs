using System.Text.Json.Serialization;
using FastEndpoints;
using FastEndpoints.Swagger;
using UserService.Infrastructure.Errors;

namespace UserService.Infrastructure.Api;

internal static class ApiExtensions
{
    public static WebApplicationBuilder AddApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddFastEndpoints();
        builder.Services.SwaggerDocument(o =>
        {
            o.DocumentSettings = s =>
            {
                s.DocumentName = "v1";
                s.Title = "UserService";
                s.Version = "v1";
                s.Description = "User accounts over REST, on one shared PostgreSQL connection pool.";
            };
        });
        return builder;
    }

    public static WebApplication UseApi(this WebApplication app)
    {
        app.UseFastEndpoints(c =>
        {
            c.Endpoints.RoutePrefix = "api";
            c.Errors.UseProblemDetails(p => p.TitleTransformer = pd => Problems.Title(pd.Status));
            // No client can set a property the contract does not list (id, role, createdAt, ...).
            c.Serializer.Options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            c.Serializer.Options.AllowDuplicateProperties = false;
        });
        app.UseSwaggerGen();
        return app;
    }
}
