using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace UserService.Infrastructure.Security;

internal static class SecurityExtensions
{
    public static WebApplicationBuilder AddSecurity(this WebApplicationBuilder builder)
    {
        // Bound now: FastEndpoints builds the endpoints, and with them Tokens and SigningKeys, while the pipeline is built.
        builder.AddBuildTimeOptions<JwtOptions>(JwtOptions.Section, JwtOptions.IsValid, JwtOptions.Rule);
        builder.Services.AddSettings<ThrottlingOptions>(ThrottlingOptions.Section)
            .Validate(o => o.AccountPermitLimit >= 1 && o.AddressPermitLimit >= 1 && o.Window > TimeSpan.Zero && o.Window <= TimeSpan.FromDays(1),
                "Throttling: AccountPermitLimit and AddressPermitLimit must be at least 1, Window above zero and at most a day.");
        builder.Services.AddSettings<SessionLifetimes>(SessionLifetimes.Section)
            .Validate(o => o.IdleTimeout > TimeSpan.Zero && o.AbsoluteLifetime >= o.IdleTimeout
                           && o.SweepInterval >= TimeSpan.FromSeconds(1) && o.SweepInterval <= TimeSpan.FromDays(1),
                "Sessions: IdleTimeout must be above zero, AbsoluteLifetime at least IdleTimeout, SweepInterval from a second to a day.");
        builder.Services.AddSettings<PasswordHashingOptions>(PasswordHashingOptions.Section)
            .Validate(o => o.QueueLimit >= 1 && o.MaxQueueWait > TimeSpan.Zero && o.Concurrency >= 0 && o.MemoryKiB > 0 && o.Passes > 0,
                "PasswordHashing: QueueLimit must be at least 1, MaxQueueWait above zero, Concurrency 0 (one per core) or more, MemoryKiB and Passes positive.");
        // Resolved once from the bound Jwt section; a problem with the keys is reported by SigningKeyCheck.
        builder.Services.AddSingleton(sp => SigningKeys.Resolve(sp.GetRequiredService<IOptions<JwtOptions>>().Value, sp.GetRequiredService<IHostEnvironment>()));
        builder.Services.AddSettings<AdminOptions>(AdminOptions.Section);
        builder.Services.AddSingleton<IValidateOptions<AdminOptions>, AdminOptions.Validator>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<HashingQueue>();
        builder.Services.AddSingleton<Passwords>();
        builder.Services.AddSingleton<SecurityStamps>();
        builder.Services.AddSingleton<Tokens>();
        builder.Services.AddSingleton<SignInThrottle>();

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o =>
        {
            o.MapInboundClaims = false;
            // Nothing reads the raw token back from the authentication properties: don't copy it into them per request.
            o.SaveToken = false;
            // WWW-Authenticate says only "Bearer", for a missing and a bad token alike: never why it failed.
            o.IncludeErrorDetails = false;
        });
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<SecurityStamps, TimeProvider, SigningKeys, IOptions<JwtOptions>>((o, stamps, clock, signingKeys, jwt) =>
            {
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = jwt.Value.Issuer,
                    ValidAudience = jwt.Value.Audience,
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
                o.TokenHandlers.Clear();
                o.TokenHandlers.Add(new ValidatedTokens(clock));
                o.Events = new JwtBearerEvents { OnTokenValidated = stamps.ValidateAsync };
            });
        builder.Services.AddAuthorization();
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
