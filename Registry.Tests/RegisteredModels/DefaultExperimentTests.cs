using Npgsql;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.RegisteredModels;

/// <summary>A model's default experiment is its own, and deleting the model destroys no run (issue 14 §3).</summary>
[Collection(RegistryCollection.Name)]
public sealed class DefaultExperimentTests(RegistryAppFixture app)
{
    private readonly RegisteredModelClient _models = new(app.Http, app.Tenants.ProjectId, app.Tenants.Developer);
    private readonly TrackingClient _tracking = new(app.Http, app.Tenants.ProjectId, app.Tenants.Developer);

    private async Task<JsonObject> ExperimentByNameAsync(string name) =>
        (await (await _tracking.GetAsync($"experiments/get-by-name?experiment_name={Uri.EscapeDataString(name)}")).ShouldBeOkAsync())["experiment"]!.AsObject();

    [Theory]
    [InlineData("[model]")]
    [InlineData("[model]someone-elses")]
    [InlineData("[deleted model 7]someone-elses")]
    public async Task Users_cannot_create_or_rename_an_experiment_into_the_reserved_prefixes(string name)
    {
        var mine = await _tracking.CreateExperimentAsync(MlflowHttp.UniqueName("plain"));

        var created = await (await _tracking.PostAsync("experiments/create", new { name })).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        var renamed = await (await _tracking.PostAsync("experiments/update", new { experiment_id = mine, new_name = name }))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");

        Assert.Contains("reserved", created);
        Assert.Contains("reserved", renamed);
        await (await _tracking.GetAsync($"experiments/get-by-name?experiment_name={Uri.EscapeDataString(name)}"))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }

    [Fact]
    public async Task A_model_never_adopts_an_experiment_that_already_has_its_default_name()
    {
        var name = MlflowHttp.UniqueName("adopt");
        // An experiment named like the model's default, made before the prefix was reserved, with a user's run in it.
        var experimentId = await InsertLegacyExperimentAsync($"[model]{name}");
        var runId = await _tracking.NewRunIdAsync(experimentId);

        var message = await (await _models.CreateRawAsync(name)).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");

        Assert.Contains($"[model]{name}", message);
        await (await _models.GetRawAsync(name)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        Assert.Equal("active", (string?)(await _tracking.GetRunAsync(runId))["info"]!["lifecycle_stage"]);
        // Once the user renames their experiment away, the model gets one of its own.
        await (await _tracking.PostAsync("experiments/update", new { experiment_id = experimentId, new_name = $"{name}-mine" })).ShouldBeOkAsync();
        await _models.CreateAsync(name);
        Assert.NotEqual(experimentId, (string?)(await ExperimentByNameAsync($"[model]{name}"))["experiment_id"]);
    }

    [Fact]
    public async Task Deleting_a_model_soft_deletes_its_experiment_and_the_runs_in_it_stay_restorable()
    {
        var name = MlflowHttp.UniqueName("keep-runs");
        await _models.CreateAsync(name);
        var experimentId = (string)(await ExperimentByNameAsync($"[model]{name}"))["experiment_id"]!;
        var runId = await _tracking.NewRunIdAsync(experimentId);
        await (await _tracking.PostAsync("runs/log-parameter", new { run_id = runId, key = "alpha", value = "0.5" })).ShouldBeOkAsync();

        await (await _models.SendAsync(HttpMethod.Delete, "registered-models/delete", new { name })).ShouldBeOkAsync();

        var experiment = await _tracking.GetExperimentAsync(experimentId);
        Assert.Equal("deleted", (string?)experiment["lifecycle_stage"]);
        Assert.Equal($"[deleted model {experimentId}]{name}", (string?)experiment["name"]);
        Assert.Equal("deleted", (string?)(await _tracking.GetRunAsync(runId))["info"]!["lifecycle_stage"]);

        await (await _tracking.PostAsync("experiments/restore", new { experiment_id = experimentId })).ShouldBeOkAsync();
        var run = await _tracking.GetRunAsync(runId);
        Assert.Equal("active", (string?)run["info"]!["lifecycle_stage"]);
        Assert.Equal("""[{"key":"alpha","value":"0.5"}]""", run["data"]!["params"]!.ToJsonString());

        // The name is free again: a new model of that name gets a new experiment of its own.
        await _models.CreateAsync(name);
        Assert.NotEqual(experimentId, (string?)(await ExperimentByNameAsync($"[model]{name}"))["experiment_id"]);
    }

    [Fact]
    public async Task Models_that_share_an_experiment_from_older_data_can_both_be_deleted_and_the_runs_survive()
    {
        var (first, second) = (MlflowHttp.UniqueName("shared-a"), MlflowHttp.UniqueName("shared-b"));
        await _models.CreateAsync(first);
        await _models.CreateAsync(second);
        var experimentId = (string)(await ExperimentByNameAsync($"[model]{first}"))["experiment_id"]!;
        await ExecuteAsync(
            """
            UPDATE ml_models SET default_experiment_id = (SELECT default_experiment_id FROM ml_models WHERE project_id = $1 AND name = $2)
            WHERE project_id = $1 AND name = $3
            """, app.Tenants.ProjectId, first, second);
        var runId = await _tracking.NewRunIdAsync(experimentId);

        await (await _models.SendAsync(HttpMethod.Delete, "registered-models/delete", new { name = first })).ShouldBeOkAsync();
        Assert.Equal("active", (string?)(await _tracking.GetExperimentAsync(experimentId))["lifecycle_stage"]);
        await (await _models.SendAsync(HttpMethod.Delete, "registered-models/delete", new { name = second })).ShouldBeOkAsync();

        Assert.Equal("deleted", (string?)(await _tracking.GetExperimentAsync(experimentId))["lifecycle_stage"]);
        Assert.Equal("deleted", (string?)(await _tracking.GetRunAsync(runId))["info"]!["lifecycle_stage"]);
    }

    [Fact]
    public async Task Experiment_names_take_500_characters_so_the_longest_models_experiment_fits()
    {
        var unique = MlflowHttp.UniqueName("long");
        var model = unique + new string('m', 255 - unique.Length);

        await _models.CreateAsync(model);
        await _tracking.CreateExperimentAsync(unique + new string('e', 500 - unique.Length));
        await (await _tracking.PostAsync("experiments/create", new { name = unique + new string('e', 501 - unique.Length) }))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");

        Assert.Equal($"[model]{model}", (string?)(await ExperimentByNameAsync($"[model]{model}"))["name"]);
    }

    private async Task<string> InsertLegacyExperimentAsync(string name)
    {
        await using var dataSource = NpgsqlDataSource.Create(app.ConnectionString);
        await using var command = dataSource.CreateCommand(
            """
            WITH next_iid AS (UPDATE projects SET last_experiment_iid = last_experiment_iid + 1 WHERE id = $1 RETURNING last_experiment_iid)
            INSERT INTO ml_experiments (project_id, iid, name, created_at, updated_at)
            SELECT $1, last_experiment_iid, $2, now(), now() FROM next_iid RETURNING iid::text
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = app.Tenants.ProjectId });
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private async Task ExecuteAsync(string sql, params object[] parameters)
    {
        await using var dataSource = NpgsqlDataSource.Create(app.ConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }
}
