using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Registry.Web.Api;

namespace Registry.Web.Session;

/// <summary>
/// The session is an encrypted, HttpOnly, SameSite=Lax cookie (Secure over https) that carries the personal access
/// token the user signed in with; the token never reaches the page's scripts. Every page request re-checks the token
/// with the API, so a revoked or expired token ends the session at the next request.
/// </summary>
public static class SessionAuthentication
{
    public const string TokenName = "access_token";
    public const string AdminClaim = "registry:admin";
    public const string SignInPath = "/sign-in";

    public static IServiceCollection AddSessionAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.Cookie.Name = "registry_session";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.LoginPath = SignInPath;
                options.LogoutPath = "/sign-out";
                options.AccessDeniedPath = SignInPath;
                options.ReturnUrlParameter = "returnUrl";
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = true;
                options.Events.OnValidatePrincipal = ValidateTokenAsync;
            });
        services.AddAuthorization();
        services.AddCascadingAuthenticationState();
        return services;
    }

    public static ClaimsPrincipal Principal(User user) => new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new Claim(ClaimTypes.Name, user.Username),
            new Claim(AdminClaim, user.IsAdmin ? "true" : "false"),
        ],
        CookieAuthenticationDefaults.AuthenticationScheme));

    public static bool IsAdmin(this ClaimsPrincipal user) => user.FindFirstValue(AdminClaim) == "true";

    public static AuthenticationProperties Properties(string token)
    {
        var properties = new AuthenticationProperties { IsPersistent = false };
        properties.StoreTokens([new AuthenticationToken { Name = TokenName, Value = token }]);
        return properties;
    }

    private static async Task ValidateTokenAsync(CookieValidatePrincipalContext context)
    {
        if (IsStaticAsset(context.Request.Path))
        {
            return;
        }
        var token = context.Properties.GetTokenValue(TokenName);
        var api = context.HttpContext.RequestServices.GetRequiredService<RegistryApi>();
        var user = string.IsNullOrEmpty(token) ? null : await api.UserForTokenAsync(token, context.HttpContext.RequestAborted);
        if (user is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
        else if (user.IsAdmin != context.Principal!.IsAdmin())
        {
            context.ReplacePrincipal(Principal(user));
            context.ShouldRenew = true;
        }
    }

    private static bool IsStaticAsset(PathString path) =>
        path.StartsWithSegments("/_framework") || path.StartsWithSegments("/_content") || path.StartsWithSegments("/lib")
        || path.StartsWithSegments("/css") || path.StartsWithSegments("/js") || path.StartsWithSegments("/favicon.png");
}
