using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Registry.Data.Entities;

namespace Registry.Api.Auth;

/// <summary>
/// The caller may use the project named by the route's <c>projectId</c>: reporters and above read with
/// <c>api</c> or <c>read_api</c>; developers and above write with <c>api</c>. Administrators may do anything.
/// </summary>
internal sealed class ProjectMemberRequirement : IAuthorizationRequirement
{
    public const string PolicyName = "project-member";
}

internal sealed class ProjectMemberHandler(AccessLookup lookup) : AuthorizationHandler<ProjectMemberRequirement, HttpContext>
{
    /// <summary>Marks a refusal that must look like a missing project, so existence is not leaked.</summary>
    public const string ProjectNotFound = "Project not found.";

    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, ProjectMemberRequirement requirement, HttpContext http)
    {
        if (context.User.Identity?.IsAuthenticated != true)
        {
            return;
        }
        if (!long.TryParse(http.GetRouteValue("projectId") as string, NumberStyles.None, CultureInfo.InvariantCulture, out var projectId))
        {
            context.Fail(new AuthorizationFailureReason(this, ProjectNotFound));
            return;
        }

        var access = await lookup.FindProjectAccessAsync(context.User.UserId(), projectId, http.RequestAborted);
        var isAdmin = context.User.IsAdmin();
        if (!access.ProjectExists || (access.Level is null && !isAdmin))
        {
            context.Fail(new AuthorizationFailureReason(this, ProjectNotFound));
            return;
        }

        var level = isAdmin ? AccessLevel.Owner : access.Level!.Value;
        var writes = !HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method);
        if (writes && !context.User.HasScope(TokenScopes.Api))
        {
            context.Fail(new AuthorizationFailureReason(this, "The token's scope does not allow writes; it needs the 'api' scope."));
        }
        else if (!writes && !context.User.HasScope(TokenScopes.Api) && !context.User.HasScope(TokenScopes.ReadApi))
        {
            context.Fail(new AuthorizationFailureReason(this, "The token's scope does not allow API access."));
        }
        else if (level < (writes ? AccessLevel.Developer : AccessLevel.Reporter))
        {
            context.Fail(new AuthorizationFailureReason(this, writes
                ? "Writing to this project needs the Developer role or higher."
                : "Reading this project needs the Reporter role or higher."));
        }
        else
        {
            context.Succeed(requirement);
        }
    }
}
