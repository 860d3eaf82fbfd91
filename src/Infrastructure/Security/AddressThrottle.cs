namespace UserService.Infrastructure.Security;

/// <summary>
/// The per-address half of sign-in throttling, for every endpoint that opts in with one line in its
/// <c>Configure()</c>: <c>Options(b => b.ThrottlePerAddress())</c>. All such endpoints share one window per
/// client address (sign-in, sign-up and refresh today), counted before the request is even bound.
/// </summary>
internal static class AddressThrottle
{
    public static TBuilder ThrottlePerAddress<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(PerAddress.Instance);

    /// <summary>After routing (the endpoint is known) and after the forwarded headers (the client's address is).</summary>
    public static WebApplication UseAddressThrottle(this WebApplication app)
    {
        var throttle = app.Services.GetRequiredService<SignInThrottle>();
        app.Use(async (context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<PerAddress>() is null || await throttle.AdmitAddressAsync(context))
            {
                await next(context);
            }
        });
        return app;
    }

    sealed class PerAddress
    {
        public static readonly PerAddress Instance = new();
    }
}
