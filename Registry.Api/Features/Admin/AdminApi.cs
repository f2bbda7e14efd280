using Microsoft.AspNetCore.Http.HttpResults;
using Registry.Api.Auth;
using Registry.Api.Mlflow;
using Registry.Data;
using static Registry.Api.Features.Admin.AdminValidation;

namespace Registry.Api.Features.Admin;

/// <summary>
/// Tenants and credentials over HTTP in GitLab's shapes. Every user reaches their own account (<see cref="AccountApi"/>),
/// Maintainers manage their project's members (<see cref="MembersApi"/>); creating and deleting projects and users, and
/// tokens for others, are for administrators.
/// </summary>
internal static class AdminApi
{
    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v4").RequireAuthorization(AccessPolicies.Token).WithTags("Administration").ProducesMlflowErrors(401, 403);
        api.MapAccount();
        api.MapMembers();

        var admin = api.MapGroup("").RequireAuthorization(AccessPolicies.Administrator);
        admin.MapPost("projects", CreateProject);
        admin.MapDelete("projects/{projectId:long}", async Task<Results<NoContent, MlflowError>> (long projectId, AdminStore store, CancellationToken ct) =>
            (await store.DeleteProjectAsync(projectId, ct)).RespondNoContent());
        admin.MapPost("users", CreateUser);
        admin.MapDelete("users/{id:long}", async Task<Results<NoContent, MlflowError>> (long id, AdminStore store, CancellationToken ct) =>
            (await store.DeleteUserAsync(id, ct)).RespondNoContent());
        admin.MapPost("users/{userId:long}/personal_access_tokens", (long userId, JsonBody<CreateTokenRequest> body, TokenStore tokens, TokenLifetime lifetime, CancellationToken ct) =>
            CreateToken(userId, body.Value, tokens, lifetime, ct));
        return app;
    }

    private static async Task<Results<Ok<ProjectDto>, MlflowError>> CreateProject(JsonBody<CreateProjectRequest> body, AdminStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.CreateProjectAsync(Name(body.Value.Name, "name", Limits.ProjectName), ct));

    private static async Task<Results<Ok<UserDto>, MlflowError>> CreateUser(JsonBody<CreateUserRequest> body, AdminStore store, CancellationToken ct)
    {
        var username = Name(body.Value.Username, "username", Limits.Username);
        return (await store.CreateUserAsync(username, body.Value.Admin ?? false, ct)).Respond(user => user);
    }

    /// <summary>A token for a user: by an administrator for anyone, or by users for themselves.</summary>
    internal static async Task<Results<Ok<TokenDto>, MlflowError>> CreateToken(
        long userId, CreateTokenRequest request, TokenStore tokens, TokenLifetime lifetime, CancellationToken ct)
    {
        var name = Name(request.Name, "name", 255);
        var scopes = Scopes(request.Scopes);
        return (await tokens.CreateAsync(userId, name, scopes, lifetime.ForNewToken(request.ExpiresAt), ct)).Respond(token => token);
    }
}
