using Npgsql;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.RegisteredModels;

[Collection(RegistryCollection.Name)]
public sealed class LifecycleTests(RegistryAppFixture app)
{
    private readonly RegisteredModelClient _models = new(app.Http, app.Tenants.ProjectId, app.Tenants.Developer);

    [Fact]
    public async Task Update_changes_the_description_and_bumps_last_updated_timestamp()
    {
        var name = MlflowHttp.UniqueName("update");
        var created = await _models.CreateAsync(name, "before", ("k", "v"));
        await Task.Delay(5);

        var updated = (await (await _models.SendAsync(HttpMethod.Patch, "registered-models/update", new { name, description = "after" })).ShouldBeOkAsync())["registered_model"]!;

        Assert.Equal("after", (string?)updated["description"]);
        Assert.True((long)updated["last_updated_timestamp"]! > (long)created["last_updated_timestamp"]!);
        Assert.Equal((long)created["creation_timestamp"]!, (long)updated["creation_timestamp"]!);
        Assert.Equal("""[{"key":"k","value":"v"}]""", updated["tags"]!.ToJsonString());
        Assert.Equal(updated.ToJsonString(), (await _models.GetAsync(name)).ToJsonString());
    }

    [Fact]
    public async Task Update_without_a_description_clears_it_as_MLflow_does()
    {
        var name = MlflowHttp.UniqueName("clear");
        await _models.CreateAsync(name, "something");

        var updated = (await (await _models.SendAsync(HttpMethod.Patch, "registered-models/update", new { name })).ShouldBeOkAsync())["registered_model"]!.AsObject();

        Assert.False(updated.ContainsKey("description"));
    }

    [Fact]
    public async Task Update_rename_delete_and_tags_of_a_missing_model_return_RESOURCE_DOES_NOT_EXIST()
    {
        var name = MlflowHttp.UniqueName("ghost");

        await (await _models.SendAsync(HttpMethod.Patch, "registered-models/update", new { name, description = "x" })).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        await (await _models.SendAsync(HttpMethod.Post, "registered-models/rename", new { name, new_name = name + "-2" })).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        await (await _models.SendAsync(HttpMethod.Delete, "registered-models/delete", new { name })).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        await (await _models.SendAsync(HttpMethod.Post, "registered-models/set-tag", new { name, key = "k", value = "v" })).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        await (await _models.SendAsync(HttpMethod.Delete, "registered-models/delete-tag", new { name, key = "k" })).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }

    [Fact]
    public async Task Rename_moves_the_model_and_its_default_experiment()
    {
        var name = MlflowHttp.UniqueName("old");
        var newName = MlflowHttp.UniqueName("new");
        await _models.CreateAsync(name, "kept", ("k", "v"));

        var renamed = (await (await _models.SendAsync(HttpMethod.Post, "registered-models/rename", new { name, new_name = newName })).ShouldBeOkAsync())["registered_model"]!;

        Assert.Equal(newName, (string?)renamed["name"]);
        Assert.Equal("kept", (string?)renamed["description"]);
        Assert.Equal("""[{"key":"k","value":"v"}]""", renamed["tags"]!.ToJsonString());
        await (await _models.GetRawAsync(name)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        Assert.Equal(newName, (string?)(await _models.GetAsync(newName))["name"]);
        Assert.Equal(new[] { $"[model]{newName}" }, await ExperimentNamesAsync(name, newName));
    }

    [Fact]
    public async Task Rename_to_a_taken_name_returns_RESOURCE_ALREADY_EXISTS_and_changes_nothing()
    {
        var first = MlflowHttp.UniqueName("first");
        var second = MlflowHttp.UniqueName("second");
        await _models.CreateAsync(first, "one");
        await _models.CreateAsync(second, "two");

        await (await _models.SendAsync(HttpMethod.Post, "registered-models/rename", new { name = first, new_name = second }))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "RESOURCE_ALREADY_EXISTS");

        Assert.Equal("one", (string?)(await _models.GetAsync(first))["description"]);
        Assert.Equal("two", (string?)(await _models.GetAsync(second))["description"]);
        Assert.Equal(new[] { $"[model]{first}", $"[model]{second}" }, await ExperimentNamesAsync(first, second));
    }

    [Fact]
    public async Task Rename_needs_a_valid_new_name()
    {
        var name = MlflowHttp.UniqueName("rename");
        await _models.CreateAsync(name);

        var message = await (await _models.SendAsync(HttpMethod.Post, "registered-models/rename", new { name, new_name = "" }))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        Assert.Contains("new_name", message);
    }

    [Fact]
    public async Task Delete_removes_the_model_and_its_tags_frees_its_default_experiments_name_and_the_name_can_be_reused()
    {
        var name = MlflowHttp.UniqueName("delete");
        await _models.CreateAsync(name, "doomed", ("k", "v"));

        var deleted = await (await _models.SendAsync(HttpMethod.Delete, "registered-models/delete", new { name })).ShouldBeOkAsync();

        Assert.Empty(deleted);
        await (await _models.GetRawAsync(name)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        Assert.Empty(await ExperimentNamesAsync(name));
        await (await _models.SendAsync(HttpMethod.Delete, "registered-models/delete", new { name })).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        var again = await _models.CreateAsync(name);
        Assert.Empty(again["tags"]!.AsArray());
    }

    [Fact]
    public async Task Set_tag_inserts_then_overwrites_and_delete_tag_removes_it()
    {
        var name = MlflowHttp.UniqueName("tagged");
        await _models.CreateAsync(name);

        await (await _models.SendAsync(HttpMethod.Post, "registered-models/set-tag", new { name, key = "stage", value = "dev" })).ShouldBeOkAsync();
        await (await _models.SendAsync(HttpMethod.Post, "registered-models/set-tag", new { name, key = "stage", value = "prod" })).ShouldBeOkAsync();
        await (await _models.SendAsync(HttpMethod.Post, "registered-models/set-tag", new { name, key = "owner", value = "me" })).ShouldBeOkAsync();
        Assert.Equal("""[{"key":"owner","value":"me"},{"key":"stage","value":"prod"}]""", (await _models.GetAsync(name))["tags"]!.ToJsonString());

        await (await _models.SendAsync(HttpMethod.Delete, "registered-models/delete-tag", new { name, key = "stage" })).ShouldBeOkAsync();
        await (await _models.SendAsync(HttpMethod.Delete, "registered-models/delete-tag", new { name, key = "never-set" })).ShouldBeOkAsync();
        Assert.Equal("""[{"key":"owner","value":"me"}]""", (await _models.GetAsync(name))["tags"]!.ToJsonString());
    }

    [Theory]
    [InlineData("../up", "v")]
    [InlineData("ok", null)]
    public async Task Set_tag_with_a_bad_key_or_value_returns_INVALID_PARAMETER_VALUE(string key, string? value)
    {
        var name = MlflowHttp.UniqueName("badtag");
        await _models.CreateAsync(name);

        await (await _models.SendAsync(HttpMethod.Post, "registered-models/set-tag", new { name, key, value })).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");

        Assert.Empty((await _models.GetAsync(name))["tags"]!.AsArray());
    }

    [Fact]
    public async Task Writes_never_reach_a_model_of_the_same_name_in_another_project()
    {
        var name = MlflowHttp.UniqueName("theirs");
        var theirs = new RegisteredModelClient(app.Http, app.Tenants.OtherProjectId, app.Tenants.Outsider);
        await theirs.CreateAsync(name, "theirs", ("k", "v"));

        await (await _models.SendAsync(HttpMethod.Delete, "registered-models/delete", new { name })).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        await (await _models.SendAsync(HttpMethod.Post, "registered-models/set-tag", new { name, key = "k", value = "mine" })).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");

        var model = await theirs.GetAsync(name);
        Assert.Equal("""[{"key":"k","value":"v"}]""", model["tags"]!.ToJsonString());
    }

    private async Task<List<string>> ExperimentNamesAsync(params string[] modelNames)
    {
        await using var dataSource = NpgsqlDataSource.Create(app.ConnectionString);
        await using var command = dataSource.CreateCommand("SELECT name FROM ml_experiments WHERE project_id = $1 AND name = ANY($2) ORDER BY name");
        command.Parameters.Add(new NpgsqlParameter { Value = app.Tenants.ProjectId });
        command.Parameters.Add(new NpgsqlParameter { Value = modelNames.Select(n => $"[model]{n}").ToArray() });
        await using var reader = await command.ExecuteReaderAsync();
        var names = new List<string>();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }
        return names;
    }
}
