namespace UserService.Infrastructure.Api;

/// <summary>Bound from the <c>Api</c> section.</summary>
internal sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>Serve the OpenAPI document and Swagger UI; unset, only in Development and Testing.</summary>
    public bool? ExposeOpenApi { get; set; }
}
