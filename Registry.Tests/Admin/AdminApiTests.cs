using Registry.Tests.Infrastructure;

namespace Registry.Tests.Admin;

[Collection(RegistryCollection.Name)]
public sealed class AdminApiTests(RegistryAppFixture app)
{
    private TestToken Admin => new(app.BootstrapToken);

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, TestToken? token, object? body = null) =>
        app.Http.SendRawAsync(method, $"/api/v4/{path}", body is null ? null : JsonContent.Create(body), token);

    private async Task<JsonNode> OkAsync(HttpMethod method, string path, object? body = null) =>
        JsonNode.Parse(await (await SendAsync(method, path, Admin, body)).Content.ReadAsStringAsync())!;

    /// <summary>A new user who is a developer of a new project, with an api token: what an operator sets up for a team.</summary>
    private async Task<(long ProjectId, long UserId, TestToken Token, long TokenId)> OnboardAsync()
    {
        var user = await OkAsync(HttpMethod.Post, "users", new { username = MlflowHttp.UniqueName("user") });
        var project = await OkAsync(HttpMethod.Post, "projects", new { name = MlflowHttp.UniqueName("team") });
        var (userId, projectId) = ((long)user["id"]!, (long)project["id"]!);
        var member = await OkAsync(HttpMethod.Post, $"projects/{projectId}/members", new { user_id = userId, access_level = 30 });
        Assert.Equal(30, (int)member["access_level"]!);
        var token = await OkAsync(HttpMethod.Post, $"users/{userId}/personal_access_tokens", new { name = "ci", scopes = new[] { "api" } });
        return (projectId, userId, new TestToken((string)token["token"]!), (long)token["id"]!);
    }

    [Fact]
    public async Task An_operator_onboards_a_team_whose_token_then_works_on_MLflow()
    {
        var (projectId, _, token, tokenId) = await OnboardAsync();

        await (await app.Http.PostJsonAsync(projectId, "registered-models/create", new { name = "first" }, token)).ShouldBeOkAsync();

        var listed = await (await SendAsync(HttpMethod.Get, $"personal_access_tokens/{tokenId}", Admin)).ShouldBeOkAsync();
        Assert.False(listed.ContainsKey("token"));
        var self = await (await SendAsync(HttpMethod.Get, "personal_access_tokens/self", token)).ShouldBeOkAsync();
        Assert.Equal(tokenId, (long)self["id"]!);
        Assert.Equal("""["api"]""", self["scopes"]!.ToJsonString());
    }

    [Fact]
    public async Task A_revoked_token_is_refused_at_once()
    {
        var (projectId, _, token, tokenId) = await OnboardAsync();
        await (await app.Http.GetAsync(projectId, "registered-models/get?name=x", token)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");

        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Delete, $"personal_access_tokens/{tokenId}", Admin)).StatusCode);

        var message = await (await app.Http.GetAsync(projectId, "registered-models/get?name=x", token)).ShouldBeMlflowErrorAsync(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        Assert.Contains("revoked", message);
    }

    [Fact]
    public async Task Rotating_a_token_revokes_it_and_hands_out_a_working_one()
    {
        var (projectId, _, token, tokenId) = await OnboardAsync();

        var rotated = await (await SendAsync(HttpMethod.Post, $"personal_access_tokens/{tokenId}/rotate", token)).ShouldBeOkAsync();

        await (await app.Http.GetAsync(projectId, "registered-models/get?name=x", token)).ShouldBeMlflowErrorAsync(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        await (await app.Http.GetAsync(projectId, "registered-models/get?name=x", new TestToken((string)rotated["token"]!)))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }

    [Fact]
    public async Task Removing_a_member_closes_the_project_to_them_at_once()
    {
        var (projectId, userId, token, _) = await OnboardAsync();
        await (await app.Http.GetAsync(projectId, "registered-models/get?name=x", token)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");

        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Delete, $"projects/{projectId}/members/{userId}", Admin)).StatusCode);

        var message = await (await app.Http.GetAsync(projectId, "registered-models/get?name=x", token)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        Assert.Contains("Project", message);
    }

    [Fact]
    public async Task Users_see_only_their_own_tokens_and_projects()
    {
        var (projectId, userId, token, _) = await OnboardAsync();

        var tokens = (await (await SendAsync(HttpMethod.Get, "personal_access_tokens", token)).Content.ReadFromJsonAsync<JsonArray>())!;
        var projects = (await (await SendAsync(HttpMethod.Get, "projects", token)).Content.ReadFromJsonAsync<JsonArray>())!;

        Assert.All(tokens, t => Assert.Equal(userId, (long)t!["user_id"]!));
        Assert.Equal([projectId], projects.Select(p => (long)p!["id"]!));
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Delete, "personal_access_tokens/1", token)).StatusCode);
    }

    [Theory]
    [InlineData("POST", "projects")]
    [InlineData("GET", "users")]
    [InlineData("POST", "users")]
    [InlineData("DELETE", "users/1")]
    [InlineData("POST", "users/1/personal_access_tokens")]
    [InlineData("DELETE", "projects/1")]
    public async Task Administration_is_refused_to_non_administrators(string method, string path)
    {
        var asDeveloper = await SendAsync(new HttpMethod(method), path, app.Tenants.Developer, method == "GET" ? null : new { });
        var anonymous = await SendAsync(new HttpMethod(method), path, null, method == "GET" ? null : new { });

        await asDeveloper.ShouldBeMlflowErrorAsync(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
        await anonymous.ShouldBeMlflowErrorAsync(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
    }

    [Fact]
    public async Task A_read_api_token_cannot_rotate_revoke_or_create_tokens()
    {
        var (_, userId, _, _) = await OnboardAsync();
        var readOnly = await OkAsync(HttpMethod.Post, $"users/{userId}/personal_access_tokens", new { name = "ro", scopes = new[] { "read_api" } });
        var (token, tokenId) = (new TestToken((string)readOnly["token"]!), (long)readOnly["id"]!);

        var rotate = await SendAsync(HttpMethod.Post, $"personal_access_tokens/{tokenId}/rotate", token);
        var revoke = await SendAsync(HttpMethod.Delete, $"personal_access_tokens/{tokenId}", token);
        var create = await SendAsync(HttpMethod.Post, "user/personal_access_tokens", token, new { name = "more", scopes = new[] { "api" } });

        foreach (var response in new[] { rotate, revoke, create })
        {
            var message = await response.ShouldBeMlflowErrorAsync(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
            Assert.Contains("'api' scope", message);
        }
        await (await SendAsync(HttpMethod.Get, "personal_access_tokens/self", token)).ShouldBeOkAsync();
    }

    [Fact]
    public async Task An_administrators_read_api_token_reads_but_cannot_administer()
    {
        var rootId = (long)(await OkAsync(HttpMethod.Get, "user"))["id"]!;
        var readOnly = await OkAsync(HttpMethod.Post, $"users/{rootId}/personal_access_tokens", new { name = "ro", scopes = new[] { "read_api" } });
        var token = new TestToken((string)readOnly["token"]!);

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "users", token)).StatusCode);
        await (await SendAsync(HttpMethod.Post, "projects", token, new { name = MlflowHttp.UniqueName("p") })).ShouldBeMlflowErrorAsync(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
        await (await SendAsync(HttpMethod.Post, "users", token, new { username = MlflowHttp.UniqueName("u") })).ShouldBeMlflowErrorAsync(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
        await (await SendAsync(HttpMethod.Post, "users/1/personal_access_tokens", token, new { name = "t", scopes = new[] { "api" } })).ShouldBeMlflowErrorAsync(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
    }

    [Fact]
    public async Task Any_token_may_revoke_itself_whatever_its_scope()
    {
        var (projectId, userId, _, _) = await OnboardAsync();
        var readOnly = await OkAsync(HttpMethod.Post, $"users/{userId}/personal_access_tokens", new { name = "ro", scopes = new[] { "read_api" } });
        var token = new TestToken((string)readOnly["token"]!);

        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Delete, "personal_access_tokens/self", token)).StatusCode);

        await (await app.Http.GetAsync(projectId, "registered-models/get?name=x", token)).ShouldBeMlflowErrorAsync(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
    }

    [Theory]
    [InlineData("users", """{"username": ""}""")]
    [InlineData("projects", """{}""")]
    [InlineData("users/1/personal_access_tokens", """{"name": "t", "scopes": ["sudo"]}""")]
    [InlineData("users/1/personal_access_tokens", """{"name": "t", "scopes": []}""")]
    [InlineData("users/1/personal_access_tokens", """{"name": "t", "scopes": ["api"], "expires_at": "2001-01-01"}""")]
    [InlineData("projects/1/members", """{"user_id": 1, "access_level": 25}""")]
    [InlineData("projects/1/members", """{"access_level": 30}""")]
    public async Task Bad_administration_requests_are_INVALID_PARAMETER_VALUE(string path, string body)
    {
        var response = await app.Http.SendRawAsync(HttpMethod.Post, $"/api/v4/{path}", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Admin);

        await response.ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
    }

    [Fact]
    public async Task A_taken_username_is_RESOURCE_ALREADY_EXISTS_and_missing_things_are_RESOURCE_DOES_NOT_EXIST()
    {
        var username = MlflowHttp.UniqueName("dup");
        await OkAsync(HttpMethod.Post, "users", new { username });

        await (await SendAsync(HttpMethod.Post, "users", Admin, new { username })).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "RESOURCE_ALREADY_EXISTS");
        await (await SendAsync(HttpMethod.Post, "users/987654321/personal_access_tokens", Admin, new { name = "t", scopes = new[] { "api" } })).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        await (await SendAsync(HttpMethod.Post, "projects/987654321/members", Admin, new { user_id = 1, access_level = 30 })).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }
}
