using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Registry.Api.Auth;
using Registry.Api.Mlflow;
using Registry.Data;
using Registry.Data.Entities;

namespace Registry.Api.Features.Admin;

/// <summary>
/// Tenants and credentials over HTTP in GitLab's shapes: projects, users, members and personal access tokens are for
/// administrators; every user may see and revoke their own tokens.
/// </summary>
internal static class AdminApi
{
    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v4").RequireAuthorization(AdminRequirement.Authenticated).WithTags("Administration").ProducesMlflowErrors(401, 403);
        var admin = api.MapGroup("").RequireAuthorization(AdminRequirement.PolicyName);

        api.MapGet("projects", (ClaimsPrincipal user, AdminStore store, CancellationToken ct) =>
            store.ProjectsAsync(user.IsAdmin() ? null : user.UserId(), ct));
        admin.MapPost("projects", CreateProject);
        admin.MapDelete("projects/{id:long}", async Task<Results<NoContent, MlflowError>> (long id, AdminStore store, CancellationToken ct) =>
            await store.DeleteProjectAsync(id, ct) ? TypedResults.NoContent() : NotFound("Project"));

        admin.MapGet("users", (string? username, AdminStore store, CancellationToken ct) => store.UsersAsync(username, ct));
        admin.MapPost("users", CreateUser);
        admin.MapDelete("users/{id:long}", async Task<Results<NoContent, MlflowError>> (long id, AdminStore store, CancellationToken ct) =>
            await store.DeleteUserAsync(id, ct) ? TypedResults.NoContent() : NotFound("User"));

        admin.MapGet("projects/{id:long}/members", (long id, AdminStore store, CancellationToken ct) => store.MembersAsync(id, ct));
        admin.MapPost("projects/{id:long}/members", (long id, JsonBody<AddMemberRequest> body, AdminStore store, CancellationToken ct) =>
            SetMember(id, body.Value.UserId, body.Value.AccessLevel, store, ct));
        admin.MapPut("projects/{id:long}/members/{userId:long}", (long id, long userId, JsonBody<UpdateMemberRequest> body, AdminStore store, CancellationToken ct) =>
            SetMember(id, userId, body.Value.AccessLevel, store, ct));
        admin.MapDelete("projects/{id:long}/members/{userId:long}", async Task<Results<NoContent, MlflowError>> (long id, long userId, AdminStore store, CancellationToken ct) =>
            await store.RemoveMemberAsync(id, userId, ct) ? TypedResults.NoContent() : NotFound("Member"));

        admin.MapPost("users/{userId:long}/personal_access_tokens", CreateToken);
        api.MapGet("personal_access_tokens", (long? user_id, ClaimsPrincipal user, AdminStore store, CancellationToken ct) =>
            store.TokensAsync(user.IsAdmin() ? user_id : user.UserId(), null, ct));
        api.MapGet("personal_access_tokens/self", SelfToken);
        api.MapGet("personal_access_tokens/{id:long}", async Task<Results<Ok<TokenDto>, MlflowError>> (long id, ClaimsPrincipal user, AdminStore store, CancellationToken ct) =>
            await VisibleTokenAsync(id, user, store, ct) is { } token ? TypedResults.Ok(token) : NotFound("Token"));
        api.MapDelete("personal_access_tokens/self", async Task<Results<NoContent, MlflowError>> (HttpContext http, AdminStore store, CancellationToken ct) =>
            await SelfTokenAsync(http, store, ct) is { } token && await store.RevokeTokenAsync(token.Id, ct) ? TypedResults.NoContent() : NotFound("Token"));
        api.MapDelete("personal_access_tokens/{id:long}", async Task<Results<NoContent, MlflowError>> (long id, ClaimsPrincipal user, AdminStore store, CancellationToken ct) =>
            await VisibleTokenAsync(id, user, store, ct) is not null && await store.RevokeTokenAsync(id, ct) ? TypedResults.NoContent() : NotFound("Token"));
        api.MapPost("personal_access_tokens/{id:long}/rotate", RotateToken);
        return app;
    }

    private static async Task<Results<Ok<ProjectDto>, MlflowError>> CreateProject(JsonBody<CreateProjectRequest> body, AdminStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.CreateProjectAsync(Name(body.Value.Name, "name", Limits.ProjectName), ct));

    private static async Task<Results<Ok<UserDto>, MlflowError>> CreateUser(JsonBody<CreateUserRequest> body, AdminStore store, CancellationToken ct)
    {
        var username = Name(body.Value.Username, "username", Limits.Username);
        var user = await store.CreateUserAsync(username, body.Value.Admin ?? false, ct);
        return user is null ? MlflowError.ResourceAlreadyExists($"Username '{username}' is already taken.") : TypedResults.Ok(user);
    }

    private static async Task<Results<Ok<MemberDto>, MlflowError>> SetMember(long projectId, long? userId, int? accessLevel, AdminStore store, CancellationToken ct)
    {
        var level = accessLevel is { } value && Enum.IsDefined((AccessLevel)value)
            ? (AccessLevel)value
            : throw Invalid("access_level must be one of 10 (guest), 20 (reporter), 30 (developer), 40 (maintainer), 50 (owner).");
        var member = await store.SetMemberAsync(projectId, userId ?? throw Invalid("Missing value for required parameter 'user_id'."), level, ct);
        return member is null ? NotFound("Project or user") : TypedResults.Ok(member);
    }

    private static async Task<Results<Ok<TokenDto>, MlflowError>> CreateToken(long userId, JsonBody<CreateTokenRequest> body, AdminStore store, CancellationToken ct)
    {
        var request = body.Value;
        var name = Name(request.Name, "name", 255);
        var scopes = Scopes(request.Scopes);
        var token = await store.CreateTokenAsync(userId, name, scopes, Expiry(request.ExpiresAt), ct);
        return token is null ? NotFound("User") : TypedResults.Ok(token);
    }

    private static async Task<Results<Ok<TokenDto>, MlflowError>> SelfToken(HttpContext http, AdminStore store, CancellationToken ct) =>
        await SelfTokenAsync(http, store, ct) is { } token ? TypedResults.Ok(token) : NotFound("Token");

    private static async Task<Results<Ok<TokenDto>, MlflowError>> RotateToken(
        long id, DateOnly? expires_at, ClaimsPrincipal user, AdminStore store, CancellationToken ct)
    {
        if (await VisibleTokenAsync(id, user, store, ct) is null)
        {
            return NotFound("Token");
        }
        var rotated = await store.RotateTokenAsync(id, Expiry(expires_at), ct);
        return rotated is null ? MlflowError.InvalidParameterValue("The token is already revoked.") : TypedResults.Ok(rotated);
    }

    /// <summary>The token this request authenticated with.</summary>
    private static async Task<TokenDto?> SelfTokenAsync(HttpContext http, AdminStore store, CancellationToken ct)
    {
        var id = long.Parse(http.User.FindFirstValue(RegistryClaims.TokenIdType)!, System.Globalization.CultureInfo.InvariantCulture);
        return (await store.TokensAsync(null, id, ct)).SingleOrDefault();
    }

    /// <summary>Administrators see every token; users see their own. Another user's token looks absent.</summary>
    private static async Task<TokenDto?> VisibleTokenAsync(long id, ClaimsPrincipal user, AdminStore store, CancellationToken ct) =>
        (await store.TokensAsync(user.IsAdmin() ? null : user.UserId(), id, ct)).SingleOrDefault();

    internal static string[] Scopes(IEnumerable<string>? scopes)
    {
        string[] valid = [.. (scopes ?? []).Distinct()];
        return valid.Length > 0 && valid.All(s => s is TokenScopes.Api or TokenScopes.ReadApi)
            ? valid
            : throw Invalid("scopes must be a non-empty list of 'api' and 'read_api'.");
    }

    internal static DateOnly? Expiry(DateOnly? expiresAt) => expiresAt is { } date && date <= DateOnly.FromDateTime(DateTime.UtcNow)
        ? throw Invalid("expires_at must be in the future.")
        : expiresAt;

    internal static string Name(string? value, string field, int limit) =>
        string.IsNullOrWhiteSpace(value) ? throw Invalid($"Missing value for required parameter '{field}'.")
        : value.Length > limit ? throw Invalid($"'{field}' is at most {limit} characters.")
        : Text.Storable(value, field);

    private static MlflowException Invalid(string message) => new(MlflowError.InvalidParameterValue(message));

    private static MlflowError NotFound(string what) => MlflowError.ResourceDoesNotExist($"{what} not found.");
}
