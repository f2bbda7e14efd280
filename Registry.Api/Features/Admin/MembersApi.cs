using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Registry.Api.Auth;
using Registry.Api.Mlflow;
using Registry.Data.Entities;
using static Registry.Api.Features.Admin.AdminValidation;

namespace Registry.Api.Features.Admin;

/// <summary>
/// A project's members, GitLab's way: Reporters and above read the list; Maintainers and above add, change and remove
/// members, but never grant a role above their own nor touch a member above it (so a Maintainer cannot make or unmake Owners).
/// </summary>
internal static class MembersApi
{
    public static RouteGroupBuilder MapMembers(this RouteGroupBuilder api)
    {
        var members = api.MapGroup("projects/{projectId:long}/members").RequireAuthorization(AccessPolicies.ProjectMembers);
        members.MapGet("", (long projectId, AdminStore store, CancellationToken ct) => store.MembersAsync(projectId, ct));
        members.MapPost("", (long projectId, JsonBody<AddMemberRequest> body, ClaimsPrincipal user, AdminStore store, AccessLookup access, CancellationToken ct) =>
            SetMember(projectId, body.Value.UserId ?? throw Invalid("Missing value for required parameter 'user_id'."), body.Value.AccessLevel, user, store, access, ct));
        members.MapPut("{userId:long}", (long projectId, long userId, JsonBody<UpdateMemberRequest> body, ClaimsPrincipal user, AdminStore store, AccessLookup access, CancellationToken ct) =>
            SetMember(projectId, userId, body.Value.AccessLevel, user, store, access, ct));
        members.MapDelete("{userId:long}", RemoveMember);
        return api;
    }

    private static async Task<Results<Ok<MemberDto>, MlflowError>> SetMember(
        long projectId, long userId, int? accessLevel, ClaimsPrincipal user, AdminStore store, AccessLookup access, CancellationToken ct)
    {
        var level = Level(accessLevel);
        var acting = await access.EffectiveLevelAsync(user, projectId, ct) ?? AccessLevel.Guest;
        if (level > acting)
        {
            return MlflowError.PermissionDenied($"You cannot grant a role above your own ({acting}).");
        }
        return (await store.SetMemberAsync(projectId, userId, level, acting, ct)).Respond(member => member);
    }

    private static async Task<Results<NoContent, MlflowError>> RemoveMember(
        long projectId, long userId, ClaimsPrincipal user, AdminStore store, AccessLookup access, CancellationToken ct)
    {
        var acting = await access.EffectiveLevelAsync(user, projectId, ct) ?? AccessLevel.Guest;
        return (await store.RemoveMemberAsync(projectId, userId, acting, ct)).Error is { } error ? error : TypedResults.NoContent();
    }
}
