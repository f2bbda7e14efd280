using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Registry.Data.Entities;

namespace Registry.Api.Auth;

/// <summary>
/// The caller's role in the project named by the route's <c>projectId</c> allows the request: reads (see
/// <see cref="EndpointAccess.IsRead"/>) need <see cref="ToRead"/>, writes <see cref="ToWrite"/>. Administrators count as
/// Owners everywhere. A project the caller is not a member of answers like one that does not exist.
/// </summary>
internal sealed class ProjectMemberRequirement(AccessLevel toRead, AccessLevel toWrite) : IAuthorizationRequirement
{
    public AccessLevel ToRead { get; } = toRead;
    public AccessLevel ToWrite { get; } = toWrite;
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
        if (!long.TryParse(http.GetRouteValue("projectId") as string, NumberStyles.None, CultureInfo.InvariantCulture, out var projectId)
            || await lookup.EffectiveLevelAsync(context.User, projectId, http.RequestAborted) is not { } level)
        {
            context.Fail(new AuthorizationFailureReason(this, ProjectNotFound));
            return;
        }

        var reads = EndpointAccess.IsRead(http);
        var needed = reads ? requirement.ToRead : requirement.ToWrite;
        if (level >= needed)
        {
            context.Succeed(requirement);
        }
        else
        {
            context.Fail(new AuthorizationFailureReason(this, reads
                ? $"Reading this project needs the {needed} role or higher."
                : $"Writing to this project needs the {needed} role or higher."));
        }
    }
}
