using Microsoft.AspNetCore.Authorization;
using Registry.Data.Entities;

namespace Registry.Api.Auth;

/// <summary>Administrators only; reads take <c>api</c> or <c>read_api</c>, writes take <c>api</c>.</summary>
internal sealed class AdminRequirement : IAuthorizationRequirement
{
    public const string PolicyName = "admin";
    public const string Authenticated = "authenticated";
}

internal sealed class AdminHandler : AuthorizationHandler<AdminRequirement, HttpContext>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, AdminRequirement requirement, HttpContext http)
    {
        var reads = HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method);
        if (context.User.Identity?.IsAuthenticated != true)
        {
            return Task.CompletedTask;
        }
        if (!context.User.IsAdmin())
        {
            context.Fail(new AuthorizationFailureReason(this, "This endpoint is for administrators."));
        }
        else if (!context.User.HasScope(TokenScopes.Api) && !(reads && context.User.HasScope(TokenScopes.ReadApi)))
        {
            context.Fail(new AuthorizationFailureReason(this, "The token's scope does not allow this; it needs the 'api' scope."));
        }
        else
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}
