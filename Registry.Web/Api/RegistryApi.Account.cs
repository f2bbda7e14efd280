namespace Registry.Web.Api;

/// <summary>GitLab-shaped account, project, membership and administration endpoints under <c>/api/v4</c>.</summary>
public sealed partial class RegistryApi
{
    public Task<User> CurrentUserAsync(CancellationToken ct) => GetAsync<User>("api/v4/user", ct);

    public Task<List<Project>> ProjectsAsync(CancellationToken ct) => GetAsync<List<Project>>("api/v4/projects", ct);

    /// <summary>The project with the caller's access level; 404 for a project the caller may not see.</summary>
    public Task<Project> ProjectAsync(long projectId, CancellationToken ct) => GetAsync<Project>($"api/v4/projects/{projectId}", ct);

    public Task<Project> CreateProjectAsync(string name, CancellationToken ct) =>
        SendJsonAsync<Project>(HttpMethod.Post, "api/v4/projects", new { name }, ct);

    public Task DeleteProjectAsync(long projectId, CancellationToken ct) =>
        SendAsync<object?>(new HttpRequestMessage(HttpMethod.Delete, $"api/v4/projects/{projectId}"), ct);

    public Task<List<User>> UsersAsync(string? username, CancellationToken ct) =>
        GetAsync<List<User>>("api/v4/users?" + Query(("username", username)), ct);

    public Task<User> CreateUserAsync(string username, bool admin, CancellationToken ct) =>
        SendJsonAsync<User>(HttpMethod.Post, "api/v4/users", new { username, admin }, ct);

    public Task<List<Member>> MembersAsync(long projectId, CancellationToken ct) => GetAsync<List<Member>>($"api/v4/projects/{projectId}/members", ct);

    public Task AddMemberAsync(long projectId, long userId, int accessLevel, CancellationToken ct) =>
        SendJsonAsync(HttpMethod.Post, $"api/v4/projects/{projectId}/members", new { user_id = userId, access_level = accessLevel }, ct);

    public Task UpdateMemberAsync(long projectId, long userId, int accessLevel, CancellationToken ct) =>
        SendJsonAsync(HttpMethod.Put, $"api/v4/projects/{projectId}/members/{userId}", new { access_level = accessLevel }, ct);

    public Task RemoveMemberAsync(long projectId, long userId, CancellationToken ct) =>
        SendAsync<object?>(new HttpRequestMessage(HttpMethod.Delete, $"api/v4/projects/{projectId}/members/{userId}"), ct);

    public Task<List<AccessToken>> TokensAsync(CancellationToken ct) => GetAsync<List<AccessToken>>("api/v4/personal_access_tokens", ct);

    public Task<AccessToken> CreateTokenAsync(string name, IReadOnlyList<string> scopes, DateOnly? expiresAt, CancellationToken ct) =>
        SendJsonAsync<AccessToken>(HttpMethod.Post, "api/v4/user/personal_access_tokens",
            new { name, scopes, expires_at = expiresAt?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) }, ct);

    public Task RevokeTokenAsync(long tokenId, CancellationToken ct) =>
        SendAsync<object?>(new HttpRequestMessage(HttpMethod.Delete, $"api/v4/personal_access_tokens/{tokenId}"), ct);
}
