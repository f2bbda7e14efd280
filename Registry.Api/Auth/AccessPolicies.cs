using Microsoft.AspNetCore.Authorization;
using Registry.Data.Entities;

namespace Registry.Api.Auth;

/// <summary>The authorization policies, named by who they let in. Nested route groups combine them.</summary>
internal static class AccessPolicies
{
    /// <summary>Any valid token; writes need the <c>api</c> scope.</summary>
    public const string Token = "token";

    public const string Administrator = "administrator";

    /// <summary>A project's MLflow API: Reporters read, Developers write.</summary>
    public const string MlflowProject = "mlflow-project";

    /// <summary>A project itself: every member sees it.</summary>
    public const string ProjectMember = "project-member";

    /// <summary>A project's members: Reporters read the list, Maintainers change it.</summary>
    public const string ProjectMembers = "project-members";

    /// <summary>What only Maintainers and above see or change: a project's webhooks and its audit events.</summary>
    public const string ProjectMaintainers = "project-maintainers";

    public static IServiceCollection AddRegistryAuthorization(this IServiceCollection services)
    {
        services.AddAuthorizationBuilder()
            .AddPolicy(Token, policy => policy.RequireAuthenticatedUser().AddRequirements(ScopeRequirement.Instance))
            .AddPolicy(Administrator, policy => policy.RequireAuthenticatedUser().AddRequirements(ScopeRequirement.Instance, AdminRequirement.Instance))
            .AddPolicy(MlflowProject, policy => policy.RequireAuthenticatedUser()
                .AddRequirements(ScopeRequirement.Instance, new ProjectMemberRequirement(AccessLevel.Reporter, AccessLevel.Developer)))
            .AddPolicy(ProjectMember, policy => policy.RequireAuthenticatedUser()
                .AddRequirements(ScopeRequirement.Instance, new ProjectMemberRequirement(AccessLevel.Guest, AccessLevel.Owner)))
            .AddPolicy(ProjectMembers, policy => policy.RequireAuthenticatedUser()
                .AddRequirements(ScopeRequirement.Instance, new ProjectMemberRequirement(AccessLevel.Reporter, AccessLevel.Maintainer)))
            .AddPolicy(ProjectMaintainers, policy => policy.RequireAuthenticatedUser()
                .AddRequirements(ScopeRequirement.Instance, new ProjectMemberRequirement(AccessLevel.Maintainer, AccessLevel.Maintainer)));
        services.AddSingleton<IAuthorizationHandler, ScopeHandler>();
        services.AddSingleton<IAuthorizationHandler, AdminHandler>();
        services.AddSingleton<IAuthorizationHandler, ProjectMemberHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, MlflowAuthorizationResultHandler>();
        return services;
    }
}
