using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace UserService.Infrastructure.Security;

internal static class SecurityExtensions
{
    public static WebApplicationBuilder AddSecurity(this WebApplicationBuilder builder)
    {
        var jwt = builder.Configuration.GetSection(JwtOptions.Section).Get<JwtOptions>() ?? new JwtOptions();
        var signingKeys = SigningKeys.Resolve(jwt, builder.Environment);

        builder.Services.Configure<JwtOptions>(builder.Configuration.GetSection(JwtOptions.Section));
        builder.Services.AddOptions<ThrottlingOptions>().BindConfiguration(ThrottlingOptions.Section)
            .Validate(o => o.AccountPermitLimit >= 1 && o.AddressPermitLimit >= 1 && o.Window > TimeSpan.Zero && o.Window <= TimeSpan.FromDays(1),
                "Throttling: AccountPermitLimit and AddressPermitLimit must be at least 1, Window above zero and at most a day.")
            .ValidateOnStart();
        builder.Services.AddOptions<SessionLifetimes>().BindConfiguration(SessionLifetimes.Section)
            .Validate(o => o.IdleTimeout > TimeSpan.Zero && o.AbsoluteLifetime >= o.IdleTimeout
                           && o.SweepInterval >= TimeSpan.FromSeconds(1) && o.SweepInterval <= TimeSpan.FromDays(1),
                "Sessions: IdleTimeout must be above zero, AbsoluteLifetime at least IdleTimeout, SweepInterval from a second to a day.")
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
        builder.Services.AddHostedService<ExpiredRowsCleanup>();
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
        app.UseAddressThrottle();
        return app;
    }
}
