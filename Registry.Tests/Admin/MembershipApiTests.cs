using Registry.Tests.Infrastructure;

namespace Registry.Tests.Admin;

/// <summary>A project's members, managed by its Maintainers and Owners (GitLab's rules), read by its Reporters.</summary>
[Collection(RegistryCollection.Name)]
public sealed class MembershipApiTests(RegistryAppFixture app)
{
    private readonly AdminHttp _api = new(app.Http, new TestToken(app.BootstrapToken));

    private sealed record Team(long ProjectId, Person Owner, Person Maintainer, Person Developer, Person Reporter, Person Guest);

    private async Task<Team> TeamAsync()
    {
        var projectId = await _api.ProjectAsync();
        return new Team(projectId,
            await _api.PersonAsync(projectId, 50), await _api.PersonAsync(projectId, 40), await _api.PersonAsync(projectId, 30),
            await _api.PersonAsync(projectId, 20), await _api.PersonAsync(projectId, 10));
    }

    private async Task<Dictionary<long, int>> LevelsAsync(long projectId) =>
        (await _api.ListAsync($"projects/{projectId}/members", _api.Admin)).ToDictionary(m => (long)m!["id"]!, m => (int)m!["access_level"]!);

    [Fact]
    public async Task Reporters_read_the_member_list_and_guests_and_strangers_do_not()
    {
        var team = await TeamAsync();
        var stranger = await _api.PersonAsync();

        var members = await _api.ListAsync($"projects/{team.ProjectId}/members", team.Reporter.Token);

        Assert.Contains(members, m => (long)m!["id"]! == team.Owner.Id && (int)m["access_level"]! == 50 && (string)m["username"]! == team.Owner.Username);
        Assert.Equal(5, members.Count);
        await (await _api.SendAsync(HttpMethod.Get, $"projects/{team.ProjectId}/members", team.Guest.Token)).ShouldBeMlflowErrorAsync(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
        await (await _api.SendAsync(HttpMethod.Get, $"projects/{team.ProjectId}/members", stranger.Token)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }

    [Fact]
    public async Task A_maintainer_adds_changes_and_removes_members_up_to_their_own_level()
    {
        var team = await TeamAsync();
        var newcomer = await _api.PersonAsync();

        var added = await _api.OkAsync(HttpMethod.Post, $"projects/{team.ProjectId}/members", team.Maintainer.Token, new { user_id = newcomer.Id, access_level = 30 });
        var promoted = await _api.OkAsync(HttpMethod.Put, $"projects/{team.ProjectId}/members/{newcomer.Id}", team.Maintainer.Token, new { access_level = 40 });
        await (await app.Http.PostJsonAsync(team.ProjectId, "registered-models/create", new { name = MlflowHttp.UniqueName("m") }, newcomer.Token)).ShouldBeOkAsync();
        var removed = await _api.SendAsync(HttpMethod.Delete, $"projects/{team.ProjectId}/members/{newcomer.Id}", team.Maintainer.Token);

        Assert.Equal(30, (int)added["access_level"]!);
        Assert.Equal(newcomer.Username, (string)added["username"]!);
        Assert.Equal(40, (int)promoted["access_level"]!);
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.False((await LevelsAsync(team.ProjectId)).ContainsKey(newcomer.Id));
        await (await app.Http.GetAsync(team.ProjectId, "registered-models/get?name=x", newcomer.Token)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }

    [Fact]
    public async Task A_maintainer_cannot_grant_owner_nor_change_or_remove_an_owner()
    {
        var team = await TeamAsync();
        var newcomer = await _api.PersonAsync();

        var grantOwner = await _api.SendAsync(HttpMethod.Post, $"projects/{team.ProjectId}/members", team.Maintainer.Token, new { user_id = newcomer.Id, access_level = 50 });
        var promoteToOwner = await _api.SendAsync(HttpMethod.Put, $"projects/{team.ProjectId}/members/{team.Developer.Id}", team.Maintainer.Token, new { access_level = 50 });
        var demoteOwner = await _api.SendAsync(HttpMethod.Put, $"projects/{team.ProjectId}/members/{team.Owner.Id}", team.Maintainer.Token, new { access_level = 10 });
        var removeOwner = await _api.SendAsync(HttpMethod.Delete, $"projects/{team.ProjectId}/members/{team.Owner.Id}", team.Maintainer.Token);

        foreach (var response in new[] { grantOwner, promoteToOwner, demoteOwner, removeOwner })
        {
            await response.ShouldBeMlflowErrorAsync(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
        }
        var levels = await LevelsAsync(team.ProjectId);
        Assert.Equal(50, levels[team.Owner.Id]);
        Assert.Equal(30, levels[team.Developer.Id]);
        Assert.False(levels.ContainsKey(newcomer.Id));
    }

    [Fact]
    public async Task An_owner_grants_owner_and_manages_other_owners()
    {
        var team = await TeamAsync();

        await _api.OkAsync(HttpMethod.Put, $"projects/{team.ProjectId}/members/{team.Maintainer.Id}", team.Owner.Token, new { access_level = 50 });
        await _api.OkAsync(HttpMethod.Put, $"projects/{team.ProjectId}/members/{team.Maintainer.Id}", team.Owner.Token, new { access_level = 40 });

        Assert.Equal(40, (await LevelsAsync(team.ProjectId))[team.Maintainer.Id]);
    }

    [Fact]
    public async Task Developers_and_read_api_tokens_cannot_manage_members_and_strangers_see_no_project()
    {
        var team = await TeamAsync();
        var maintainerReadOnly = await _api.PersonAsync(team.ProjectId, 40, scope: "read_api");
        var stranger = await _api.PersonAsync();
        var newcomer = await _api.PersonAsync();

        var byDeveloper = await _api.SendAsync(HttpMethod.Post, $"projects/{team.ProjectId}/members", team.Developer.Token, new { user_id = newcomer.Id, access_level = 10 });
        var removeByDeveloper = await _api.SendAsync(HttpMethod.Delete, $"projects/{team.ProjectId}/members/{team.Guest.Id}", team.Developer.Token);
        var byReadOnlyMaintainer = await _api.SendAsync(HttpMethod.Post, $"projects/{team.ProjectId}/members", maintainerReadOnly.Token, new { user_id = newcomer.Id, access_level = 10 });
        var byStranger = await _api.SendAsync(HttpMethod.Post, $"projects/{team.ProjectId}/members", stranger.Token, new { user_id = newcomer.Id, access_level = 10 });

        await byDeveloper.ShouldBeMlflowErrorAsync(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
        await removeByDeveloper.ShouldBeMlflowErrorAsync(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
        await byReadOnlyMaintainer.ShouldBeMlflowErrorAsync(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
        await byStranger.ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        Assert.False((await LevelsAsync(team.ProjectId)).ContainsKey(newcomer.Id));
    }

    [Fact]
    public async Task Removing_someone_who_is_not_a_member_is_RESOURCE_DOES_NOT_EXIST()
    {
        var team = await TeamAsync();
        var stranger = await _api.PersonAsync();

        var response = await _api.SendAsync(HttpMethod.Delete, $"projects/{team.ProjectId}/members/{stranger.Id}", team.Maintainer.Token);

        await response.ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }
}
