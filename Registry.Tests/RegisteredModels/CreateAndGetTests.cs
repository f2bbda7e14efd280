using Npgsql;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.RegisteredModels;

[Collection(RegistryCollection.Name)]
public sealed class CreateAndGetTests(RegistryAppFixture app)
{
    private HttpClient Http => app.Http;
    private Tenants Tenants => app.Tenants;

    [Fact]
    public async Task Create_then_get_returns_the_model_with_tags_and_millisecond_timestamps()
    {
        var name = MlflowHttp.UniqueName("model");
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        var created = await (await Http.PostJsonAsync(Tenants.ProjectId, "registered-models/create",
            new { name, description = "A description", tags = new[] { new { key = "hello", value = "world" } } },
            Tenants.Developer)).ShouldBeOkAsync();
        var got = await (await Http.GetAsync(Tenants.ProjectId, $"registered-models/get?name={name}", Tenants.Developer)).ShouldBeOkAsync();

        var model = got["registered_model"]!.AsObject();
        Assert.Equal(name, (string?)model["name"]);
        Assert.Equal("A description", (string?)model["description"]);
        Assert.Equal(JsonValueKind.String, model["user_id"]!.GetValueKind());
        Assert.Equal(JsonValueKind.Number, model["creation_timestamp"]!.GetValueKind());
        var creation = (long)model["creation_timestamp"]!;
        Assert.InRange(creation, before - 5_000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 5_000);
        Assert.Equal(creation, (long)model["last_updated_timestamp"]!);
        Assert.Equal("""[{"key":"hello","value":"world"}]""", model["tags"]!.ToJsonString());
        Assert.Equal(created.ToJsonString(), got.ToJsonString());
    }

    [Fact]
    public async Task Create_without_description_or_tags_omits_the_description()
    {
        var name = MlflowHttp.UniqueName("bare");

        var model = (await (await Http.PostJsonAsync(Tenants.ProjectId, "registered-models/create", new { name }, Tenants.Developer)).ShouldBeOkAsync())["registered_model"]!.AsObject();

        Assert.False(model.ContainsKey("description"));
        Assert.Empty(model["tags"]!.AsArray());
    }

    [Fact]
    public async Task Create_with_duplicate_name_returns_RESOURCE_ALREADY_EXISTS_and_keeps_the_first()
    {
        var name = MlflowHttp.UniqueName("dup");
        await (await Http.PostJsonAsync(Tenants.ProjectId, "registered-models/create", new { name, description = "first" }, Tenants.Developer)).ShouldBeOkAsync();

        var second = await Http.PostJsonAsync(Tenants.ProjectId, "registered-models/create",
            new { name, description = "second", tags = new[] { new { key = "k", value = "v" } } }, Tenants.Developer);

        var message = await second.ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "RESOURCE_ALREADY_EXISTS");
        Assert.Contains(name, message);
        var model = (await (await Http.GetAsync(Tenants.ProjectId, $"registered-models/get?name={name}", Tenants.Developer)).ShouldBeOkAsync())["registered_model"]!;
        Assert.Equal("first", (string?)model["description"]);
        Assert.Empty(model["tags"]!.AsArray());
    }

    [Fact]
    public async Task Get_of_a_missing_model_returns_RESOURCE_DOES_NOT_EXIST()
    {
        var response = await Http.GetAsync(Tenants.ProjectId, "registered-models/get?name=no-such-model", Tenants.Developer);

        var message = await response.ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        Assert.Contains("no-such-model", message);
    }

    [Fact]
    public async Task Create_makes_the_default_experiment_named_after_the_model()
    {
        var name = MlflowHttp.UniqueName("exp");

        await (await Http.PostJsonAsync(Tenants.ProjectId, "registered-models/create", new { name }, Tenants.Developer)).ShouldBeOkAsync();

        await using var dataSource = NpgsqlDataSource.Create(app.ConnectionString);
        await using var command = dataSource.CreateCommand(
            "SELECT e.iid FROM ml_models m JOIN ml_experiments e ON e.id = m.default_experiment_id WHERE m.project_id = $1 AND m.name = $2 AND e.name = $3");
        command.Parameters.Add(new NpgsqlParameter { Value = Tenants.ProjectId });
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        command.Parameters.Add(new NpgsqlParameter { Value = $"[model]{name}" });
        Assert.True((int)(await command.ExecuteScalarAsync())! > 0);
    }

    [Fact]
    public async Task Repeated_tag_keys_keep_the_last_value()
    {
        var name = MlflowHttp.UniqueName("tags");

        var model = (await (await Http.PostJsonAsync(Tenants.ProjectId, "registered-models/create",
            new { name, tags = new[] { new { key = "k", value = "first" }, new { key = "k", value = "last" } } },
            Tenants.Developer)).ShouldBeOkAsync())["registered_model"]!;

        Assert.Equal("""[{"key":"k","value":"last"}]""", model["tags"]!.ToJsonString());
    }

    [Fact]
    public async Task Unknown_request_fields_are_ignored()
    {
        var name = MlflowHttp.UniqueName("extra");

        var response = await Http.PostRawAsync(Tenants.ProjectId, "registered-models/create",
            $$$"""{"name": "{{{name}}}", "deployment_job_id": "x", "future_field": {"nested": [1, 2]}}""", Tenants.Developer);

        await response.ShouldBeOkAsync();
    }

    [Fact]
    public async Task The_same_name_lives_independently_in_two_projects()
    {
        var name = MlflowHttp.UniqueName("shared");
        var otherProject = Tenants.OtherProjectId;

        await (await Http.PostJsonAsync(Tenants.ProjectId, "registered-models/create", new { name, description = "main" }, Tenants.Developer)).ShouldBeOkAsync();
        await (await Http.GetAsync(otherProject, $"registered-models/get?name={name}", Tenants.Outsider))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        await (await Http.PostJsonAsync(otherProject, "registered-models/create", new { name, description = "other" }, Tenants.Outsider)).ShouldBeOkAsync();

        var inMain = (await (await Http.GetAsync(Tenants.ProjectId, $"registered-models/get?name={name}", Tenants.Developer)).ShouldBeOkAsync())["registered_model"]!;
        Assert.Equal("main", (string?)inMain["description"]);
    }

    [Fact]
    public async Task The_bootstrap_token_owns_project_1()
    {
        var name = MlflowHttp.UniqueName("bootstrap");

        await (await Http.PostJsonAsync(1, "registered-models/create", new { name }, new TestToken(app.BootstrapToken))).ShouldBeOkAsync();
    }
}
