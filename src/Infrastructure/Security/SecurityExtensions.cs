using Microsoft.AspNetCore.Identity;

namespace UserService.Infrastructure.Security;

internal static class SecurityExtensions
{
    public static WebApplicationBuilder AddSecurity(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<PasswordHasherOptions>(o =>
        {
            o.CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV3;
            o.IterationCount = builder.Configuration.GetValue("Security:PasswordHashIterations", Passwords.MinimumIterations);
        });
        builder.Services.AddSingleton<Passwords>();
        return builder;
    }
}
