using System.Globalization;
using System.Security.Claims;

namespace Registry.Api.Auth;

internal static class RegistryClaims
{
    public const string UserIdType = "registry:user_id";
    public const string ScopeType = "registry:scope";
    public const string AdminType = "registry:admin";
    public const string TokenIdType = "registry:token_id";

    public static long UserId(this ClaimsPrincipal user) =>
        long.Parse(user.FindFirstValue(UserIdType)!, CultureInfo.InvariantCulture);

    public static bool HasScope(this ClaimsPrincipal user, string scope) => user.HasClaim(ScopeType, scope);

    public static bool IsAdmin(this ClaimsPrincipal user) => user.HasClaim(AdminType, "true");
}
