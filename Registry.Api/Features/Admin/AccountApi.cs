using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Registry.Api.Auth;
using Registry.Api.Mlflow;
using static Registry.Api.Features.Admin.AdminValidation;

namespace Registry.Api.Features.Admin;

/// <summary>What every user may do with their own account: see who they are and their projects, manage their own tokens, find a colleague by name.</summary>
internal static class AccountApi
{
    public static RouteGroupBuilder MapAccount(this RouteGroupBuilder api)
    {
        api.MapGet("user", async Task<Results<Ok<UserDto>, MlflowError>> (ClaimsPrincipal user, AdminStore store, CancellationToken ct) =>
            (await store.UserAsync(user.UserId(), ct)).Respond(me => me));
        api.MapGet("users", Users);
        api.MapGet("projects", (ClaimsPrincipal user, AdminStore store, CancellationToken ct) => store.ProjectsAsync(user.IsAdmin() ? null : user.UserId(), ct));
        api.MapGet("projects/{projectId:long}", Project).RequireAuthorization(AccessPolicies.ProjectMember);

        api.MapPost("user/personal_access_tokens", (JsonBody<CreateTokenRequest> body, ClaimsPrincipal user, TokenStore tokens, TokenLifetime lifetime, CancellationToken ct) =>
            AdminApi.CreateToken(user.UserId(), body.Value, tokens, lifetime, ct));
        api.MapGet("personal_access_tokens", (long? user_id, ClaimsPrincipal user, TokenStore tokens, CancellationToken ct) =>
            tokens.ListAsync(user.IsAdmin() ? user_id : user.UserId(), null, ct));
        api.MapGet("personal_access_tokens/self", async Task<Results<Ok<TokenDto>, MlflowError>> (ClaimsPrincipal user, TokenStore tokens, CancellationToken ct) =>
            (await SelfTokenAsync(user, tokens, ct)).Respond(token => token));
        api.MapGet("personal_access_tokens/{id:long}", async Task<Results<Ok<TokenDto>, MlflowError>> (long id, ClaimsPrincipal user, TokenStore tokens, CancellationToken ct) =>
            (await VisibleTokenAsync(id, user, tokens, ct)).Respond(token => token));
        api.MapDelete("personal_access_tokens/self", async Task<Results<NoContent, MlflowError>> (ClaimsPrincipal user, TokenStore tokens, CancellationToken ct) =>
            (await tokens.RevokeAsync(SelfTokenId(user), ct)).RespondNoContent()).AllowsAnyScope();
        api.MapDelete("personal_access_tokens/{id:long}", async Task<Results<NoContent, MlflowError>> (long id, ClaimsPrincipal user, TokenStore tokens, CancellationToken ct) =>
            (await VisibleTokenAsync(id, user, tokens, ct)).Error is { } missing ? missing : (await tokens.RevokeAsync(id, ct)).RespondNoContent());
        api.MapPost("personal_access_tokens/{id:long}/rotate", RotateToken);
        return api;
    }

    /// <summary>Administrators list and filter everyone; any user may look another up by exact username (to add them as a member).</summary>
    private static async Task<Results<Ok<IReadOnlyList<UserDto>>, Ok<IReadOnlyList<UserSummaryDto>>, MlflowError>> Users(
        string? username, ClaimsPrincipal user, AdminStore store, CancellationToken ct)
    {
        if (user.IsAdmin())
        {
            return TypedResults.Ok(await store.UsersAsync(username, ct));
        }
        if (string.IsNullOrEmpty(username))
        {
            return MlflowError.PermissionDenied("Listing every user is for administrators; look a user up with ?username=<exact username>.");
        }
        IReadOnlyList<UserSummaryDto> found = [.. (await store.UsersAsync(username, ct)).Select(u => new UserSummaryDto(u.Id, u.Username))];
        return TypedResults.Ok(found);
    }

    private static async Task<Results<Ok<ProjectDetailsDto>, MlflowError>> Project(
        long projectId, ClaimsPrincipal user, AdminStore store, AccessLookup access, CancellationToken ct)
    {
        if (await access.EffectiveLevelAsync(user, projectId, ct) is not { } level)
        {
            return MlflowError.ResourceDoesNotExist(ProjectMemberHandler.ProjectNotFound);
        }
        return (await store.ProjectAsync(projectId, ct)).Respond(project =>
            new ProjectDetailsDto(project.Id, project.Name, project.CreatedAt, new ProjectPermissions(new ProjectAccessDto((int)level))));
    }

    private static async Task<Results<Ok<TokenDto>, MlflowError>> RotateToken(
        long id, DateOnly? expires_at, ClaimsPrincipal user, TokenStore tokens, TokenLifetime lifetime, CancellationToken ct)
    {
        var visible = await VisibleTokenAsync(id, user, tokens, ct);
        if (visible.Error is { } error)
        {
            return error;
        }
        var token = visible.Value;
        if (token.Revoked)
        {
            return TokenStore.AlreadyRevoked;
        }
        return (await tokens.RotateAsync(id, lifetime.ForRotation(expires_at, token.ExpiresAt), ct)).Respond(rotated => rotated);
    }

    private static long SelfTokenId(ClaimsPrincipal user) => long.Parse(user.FindFirstValue(RegistryClaims.TokenIdType)!, CultureInfo.InvariantCulture);

    /// <summary>The token this request authenticated with.</summary>
    private static async Task<Outcome<TokenDto>> SelfTokenAsync(ClaimsPrincipal user, TokenStore tokens, CancellationToken ct) =>
        (await tokens.ListAsync(null, SelfTokenId(user), ct)).SingleOrDefault() is { } token ? token : NotFound("Token");

    /// <summary>Administrators see every token; users see their own. Another user's token looks absent.</summary>
    private static async Task<Outcome<TokenDto>> VisibleTokenAsync(long id, ClaimsPrincipal user, TokenStore tokens, CancellationToken ct) =>
        (await tokens.ListAsync(user.IsAdmin() ? null : user.UserId(), id, ct)).SingleOrDefault() is { } token ? token : NotFound("Token");
}
