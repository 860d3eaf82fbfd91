using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;

namespace UserService.Infrastructure.Security;

/// <summary>Who is calling, as the validated token says.</summary>
internal static class Caller
{
    public const string RoleClaim = "role";
    public const string Admin = "admin";
    public const string User = "user";

    public static Guid UserId(this ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(JwtRegisteredClaimNames.Sub), out var id) ? id : Guid.Empty;

    public static bool IsAdmin(this ClaimsPrincipal principal) => principal.IsInRole(Admin);

    /// <summary>Object-level access: users reach their own record, admins every record.</summary>
    public static bool MayAccess(this ClaimsPrincipal principal, Guid userId) => principal.IsAdmin() || principal.UserId() == userId;
}
