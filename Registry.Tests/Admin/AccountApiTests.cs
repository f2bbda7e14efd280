using Registry.Tests.Infrastructure;

namespace Registry.Tests.Admin;

/// <summary>What every user may do with their own account: who am I, my project, my tokens, finding a colleague.</summary>
[Collection(RegistryCollection.Name)]
public sealed class AccountApiTests(RegistryAppFixture app)
{
    private readonly AdminHttp _api = new(app.Http, new TestToken(app.BootstrapToken));

    [Fact]
    public async Task The_current_user_is_the_owner_of_the_token_whatever_its_scope()
    {
        var person = await _api.PersonAsync(scope: "read_api");

        var me = await _api.OkAsync(HttpMethod.Get, "user", person.Token);
        var root = await _api.OkAsync(HttpMethod.Get, "user", _api.Admin);

        Assert.Equal(person.Id, (long)me["id"]!);
        Assert.Equal(person.Username, (string)me["username"]!);
        Assert.False((bool)me["is_admin"]!);
        Assert.True(me.ContainsKey("created_at"));
        Assert.Equal("root", (string)root["username"]!);
        Assert.True((bool)root["is_admin"]!);
        await (await _api.SendAsync(HttpMethod.Get, "user", token: null)).ShouldBeMlflowErrorAsync(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
    }

    [Fact]
    public async Task A_project_shows_the_callers_own_access_level_and_is_hidden_from_strangers()
    {
        var projectId = await _api.ProjectAsync();
        var guest = await _api.PersonAsync(projectId, 10);
        var developer = await _api.PersonAsync(projectId, 30, scope: "read_api");
        var stranger = await _api.PersonAsync();

        var asGuest = await _api.OkAsync(HttpMethod.Get, $"projects/{projectId}", guest.Token);
        var asDeveloper = await _api.OkAsync(HttpMethod.Get, $"projects/{projectId}", developer.Token);
        var asAdmin = await _api.OkAsync(HttpMethod.Get, $"projects/{projectId}", _api.Admin);

        Assert.Equal(projectId, (long)asGuest["id"]!);
        Assert.True(asGuest.ContainsKey("name") && asGuest.ContainsKey("created_at"));
        Assert.Equal(10, (int)asGuest["permissions"]!["project_access"]!["access_level"]!);
        Assert.Equal(30, (int)asDeveloper["permissions"]!["project_access"]!["access_level"]!);
        Assert.Equal(50, (int)asAdmin["permissions"]!["project_access"]!["access_level"]!);
        var hidden = await (await _api.SendAsync(HttpMethod.Get, $"projects/{projectId}", stranger.Token)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        var missing = await (await _api.SendAsync(HttpMethod.Get, "projects/987654321", stranger.Token)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        Assert.Equal(missing, hidden);
    }

    [Fact]
    public async Task A_user_creates_a_token_for_themselves_that_works_and_is_shown_once()
    {
        var projectId = await _api.ProjectAsync();
        var developer = await _api.PersonAsync(projectId, 30);

        var created = await _api.OkAsync(HttpMethod.Post, "user/personal_access_tokens", developer.Token,
            new { name = "laptop", scopes = new[] { "read_api" }, expires_at = DateTime.UtcNow.AddDays(7).ToString("yyyy-MM-dd") });

        Assert.Equal(developer.Id, (long)created["user_id"]!);
        Assert.Equal("""["read_api"]""", created["scopes"]!.ToJsonString());
        var token = new TestToken((string)created["token"]!);
        await (await app.Http.GetAsync(projectId, "registered-models/get?name=x", token)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        var listed = await _api.OkAsync(HttpMethod.Get, $"personal_access_tokens/{(long)created["id"]!}", developer.Token);
        Assert.False(listed.ContainsKey("token"));
    }

    [Fact]
    public async Task Creating_a_token_for_yourself_needs_the_api_scope_and_valid_fields()
    {
        var reader = await _api.PersonAsync(scope: "read_api");
        var writer = await _api.PersonAsync();

        var refused = await _api.SendAsync(HttpMethod.Post, "user/personal_access_tokens", reader.Token, new { name = "x", scopes = new[] { "api" } });
        var badScope = await _api.SendAsync(HttpMethod.Post, "user/personal_access_tokens", writer.Token, new { name = "x", scopes = new[] { "sudo" } });
        var noName = await _api.SendAsync(HttpMethod.Post, "user/personal_access_tokens", writer.Token, new { scopes = new[] { "api" } });

        await refused.ShouldBeMlflowErrorAsync(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
        await badScope.ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        await noName.ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
    }

    [Fact]
    public async Task Any_user_looks_up_another_by_exact_username_but_only_administrators_list_everyone()
    {
        var colleague = await _api.PersonAsync();
        var asker = await _api.PersonAsync(scope: "read_api");

        var found = await _api.ListAsync($"users?username={colleague.Username}", asker.Token);
        var partial = await _api.ListAsync($"users?username={colleague.Username[..^3]}", asker.Token);
        var everyone = await _api.SendAsync(HttpMethod.Get, "users", asker.Token);
        var asAdmin = await _api.ListAsync($"users?username={colleague.Username}", _api.Admin);

        var user = Assert.Single(found)!.AsObject();
        Assert.Equal(colleague.Id, (long)user["id"]!);
        Assert.Equal(colleague.Username, (string)user["username"]!);
        Assert.False(user.ContainsKey("is_admin"));
        Assert.Empty(partial);
        await everyone.ShouldBeMlflowErrorAsync(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
        Assert.False((bool)Assert.Single(asAdmin)!["is_admin"]!);
    }
}
