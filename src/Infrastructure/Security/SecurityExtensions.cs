using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.IdentityModel.Tokens;

namespace UserService.Infrastructure.Security;

internal static class SecurityExtensions
{
    /// <summary>The rate-limiter policy every sign-in goes through: per client address.</summary>
    public const string CredentialsPolicy = "credentials";

    public static WebApplicationBuilder AddSecurity(this WebApplicationBuilder builder)
    {
        var jwt = builder.Configuration.GetSection(JwtOptions.Section).Get<JwtOptions>() ?? new JwtOptions();
        var signingKeys = SigningKeys.Resolve(jwt, builder.Environment);

        builder.Services.Configure<JwtOptions>(builder.Configuration.GetSection(JwtOptions.Section));
        builder.Services.Configure<ThrottlingOptions>(builder.Configuration.GetSection(ThrottlingOptions.Section));
        builder.Services.AddOptions<SessionLifetimes>().BindConfiguration(SessionLifetimes.Section)
            .Validate(o => o.IdleTimeout > TimeSpan.Zero && o.AbsoluteLifetime >= o.IdleTimeout,
                "Sessions: IdleTimeout must be above zero and AbsoluteLifetime at least IdleTimeout.")
            .ValidateOnStart();
        builder.Services.AddOptions<PasswordHashingOptions>().BindConfiguration(PasswordHashingOptions.Section)
            .Validate(o => o.QueueLimit >= 1 && o.MaxQueueWait > TimeSpan.Zero && o.Concurrency >= 0 && o.MemoryKiB > 0 && o.Passes > 0,
                "PasswordHashing: QueueLimit must be at least 1, MaxQueueWait above zero, Concurrency 0 (one per core) or more, MemoryKiB and Passes positive.")
            .ValidateOnStart();
        builder.Services.AddSingleton(signingKeys);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<HashingQueue>();
        builder.Services.AddSingleton<Passwords>();
        builder.Services.AddSingleton<SecurityStamps>();
        builder.Services.AddHostedService<StampListener>();
        builder.Services.AddSingleton<Tokens>();
        builder.Services.AddSingleton<SignInThrottle>();
        builder.Services.AddHostedService<SigningKeyCheck>();

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o =>
        {
            o.MapInboundClaims = false;
            // Nothing reads the raw token back from the authentication properties: don't copy it into them per request.
            o.SaveToken = false;
            // WWW-Authenticate says "Bearer" and, for a bad token, error="invalid_token"; never why it failed.
            o.IncludeErrorDetails = false;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = jwt.Issuer,
                ValidAudience = jwt.Audience,
                // A token's kid names the one key that may verify it; an unknown kid is refused, never tried against
                // every key (TryAllIssuerSigningKeys would). A removed key is not configured, so its tokens fail.
                IssuerSigningKeys = signingKeys.All,
                IssuerSigningKeyResolver = (_, _, kid, _) => signingKeys.Resolve(kid),
                TryAllIssuerSigningKeys = false,
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                RequireSignedTokens = true,
                RequireExpirationTime = true,
                ClockSkew = TimeSpan.FromSeconds(30),
                NameClaimType = "sub",
                RoleClaimType = Caller.RoleClaim,
            };
        });
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<SecurityStamps, TimeProvider>((o, stamps, clock) =>
            {
                o.TokenHandlers.Clear();
                o.TokenHandlers.Add(new ValidatedTokens(clock));
                o.Events = new JwtBearerEvents { OnTokenValidated = stamps.ValidateAsync };
            });
        builder.Services.AddAuthorization();
        var limits = builder.Configuration.GetSection(ThrottlingOptions.Section).Get<ThrottlingOptions>() ?? new ThrottlingOptions();
        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = OnSignInThrottledAsync;
            o.AddPolicy(CredentialsPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = limits.AddressPermitLimit, Window = limits.Window, QueueLimit = 0 }));
        });
        return builder;
    }

    /// <summary>Registered after the database hook, so the first admin is created once the schema exists.</summary>
    public static WebApplicationBuilder AddFirstAdmin(this WebApplicationBuilder builder)
    {
        builder.Services.AddHostedService<AdminBootstrap>();
        return builder;
    }

    public static WebApplication UseSecurity(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }

    /// <summary>Writes a 429 problem with <c>Retry-After</c> in whole seconds, rounded up.</summary>
    public static Task WriteThrottledAsync(HttpContext context, TimeSpan retryAfter)
    {
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return Problems.WriteAsync(context, StatusCodes.Status429TooManyRequests, "Too many sign-in attempts. Retry later.");
    }

    static ValueTask OnSignInThrottledAsync(OnRejectedContext context, CancellationToken cancellationToken) =>
        new(WriteThrottledAsync(context.HttpContext,
            context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1)));
}
