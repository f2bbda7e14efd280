using Microsoft.AspNetCore.Authorization;
using Registry.Data.Entities;

namespace Registry.Api.Auth;

/// <summary>
/// The token's scope allows the request: reads take <c>api</c> or <c>read_api</c>, writes take <c>api</c>, and an
/// endpoint marked <see cref="AnyScopeEndpoint"/> takes any scope.
/// </summary>
internal sealed class ScopeRequirement : IAuthorizationRequirement
{
    public static readonly ScopeRequirement Instance = new();
}

internal sealed class ScopeHandler : AuthorizationHandler<ScopeRequirement, HttpContext>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement, HttpContext http)
    {
        if (context.User.Identity?.IsAuthenticated != true)
        {
            return Task.CompletedTask;
        }
        var api = context.User.HasScope(TokenScopes.Api);
        if (api || EndpointAccess.AllowsAnyScope(http))
        {
            context.Succeed(requirement);
        }
        else if (!EndpointAccess.IsRead(http))
        {
            context.Fail(new AuthorizationFailureReason(this, "The token's scope does not allow writes; it needs the 'api' scope."));
        }
        else if (!context.User.HasScope(TokenScopes.ReadApi))
        {
            context.Fail(new AuthorizationFailureReason(this, "The token's scope does not allow API access."));
        }
        else
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}

/// <summary>Administrators only.</summary>
internal sealed class AdminRequirement : IAuthorizationRequirement
{
    public static readonly AdminRequirement Instance = new();
}

internal sealed class AdminHandler : AuthorizationHandler<AdminRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, AdminRequirement requirement)
    {
        if (context.User.IsAdmin())
        {
            context.Succeed(requirement);
        }
        else if (context.User.Identity?.IsAuthenticated == true)
        {
            context.Fail(new AuthorizationFailureReason(this, "This endpoint is for administrators."));
        }
        return Task.CompletedTask;
    }
}
