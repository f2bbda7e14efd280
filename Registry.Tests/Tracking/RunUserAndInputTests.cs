using Npgsql;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Tracking;

/// <summary>What MLflow's own server does with a run's user and its inputs, which MLflow's tests check.</summary>
[Collection(RegistryCollection.Name)]
public sealed class RunUserAndInputTests(RegistryAppFixture app)
{
    private readonly TrackingClient _tracking = new(app.Http, app.Tenants.ProjectId, app.Tenants.Developer);

    private async Task<string> ExperimentAsync() => await _tracking.CreateExperimentAsync(MlflowHttp.UniqueName("parity"));

    private async Task<string> DeveloperUsernameAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(app.ConnectionString);
        await using var command = dataSource.CreateCommand("SELECT u.username FROM users u JOIN project_members m ON m.user_id = u.id WHERE m.project_id = $1 AND m.access_level = 30");
        command.Parameters.Add(new NpgsqlParameter { Value = app.Tenants.ProjectId });
        return (string)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task A_run_keeps_the_user_id_the_client_sends()
    {
        var experimentId = await ExperimentAsync();

        var created = await (await _tracking.PostAsync("runs/create", new { experiment_id = experimentId, user_id = "alice@example.com", start_time = 1 })).ShouldBeOkAsync();
        var runId = (string)created["run"]!["info"]!["run_id"]!;

        Assert.Equal("alice@example.com", (string?)created["run"]!["info"]!["user_id"]);
        Assert.Equal("alice@example.com", (string?)(await _tracking.GetRunAsync(runId))["info"]!["user_id"]);
        var searched = await (await _tracking.PostAsync("runs/search", new { experiment_ids = new[] { experimentId } })).ShouldBeOkAsync();
        Assert.Equal("alice@example.com", (string?)searched["runs"]![0]!["info"]!["user_id"]);
    }

    [Fact]
    public async Task Without_a_user_id_the_run_is_the_token_owners_by_username()
    {
        var experimentId = await ExperimentAsync();

        var created = await (await _tracking.PostAsync("runs/create", new { experiment_id = experimentId, start_time = 1 })).ShouldBeOkAsync();
        var runId = (string)created["run"]!["info"]!["run_id"]!;

        var username = await DeveloperUsernameAsync();
        Assert.Equal(username, (string?)created["run"]!["info"]!["user_id"]);
        Assert.Equal(username, (string?)(await _tracking.GetRunAsync(runId))["info"]!["user_id"]);
    }

    [Fact]
    public async Task A_user_id_over_256_characters_is_INVALID_PARAMETER_VALUE()
    {
        var response = await _tracking.PostAsync("runs/create", new { experiment_id = await ExperimentAsync(), user_id = new string('u', 257) });

        Assert.Contains("user_id", await response.ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE"));
    }

    [Fact]
    public async Task Log_inputs_without_datasets_is_INVALID_PARAMETER_VALUE_as_in_MLflow()
    {
        var runId = await _tracking.NewRunIdAsync(await ExperimentAsync());

        var message = await (await _tracking.PostAsync("runs/log-inputs", new { run_id = runId })).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");

        Assert.StartsWith("Missing value for required parameter 'datasets'.", message);
    }

    [Fact]
    public async Task Log_inputs_takes_the_logged_models_a_run_used_as_MLflow_3_sends_them()
    {
        var experimentId = await ExperimentAsync();
        var runId = await _tracking.NewRunIdAsync(experimentId);
        var model = await (await _tracking.PostAsync("logged-models", new { experiment_id = experimentId, name = "used" })).ShouldBeOkAsync();
        var modelId = (string)model["model"]!["info"]!["model_id"]!;

        await (await _tracking.PostAsync("runs/log-inputs", new { run_id = runId, models = new[] { new { model_id = modelId } } })).ShouldBeOkAsync();
        await (await _tracking.PostAsync("runs/log-inputs", new { run_id = runId, models = new[] { new { model_id = modelId } } })).ShouldBeOkAsync();
        var missing = await _tracking.PostAsync("runs/log-inputs", new { run_id = runId, models = new[] { new { model_id = "m-0000" } } });

        Assert.Contains("m-0000", await missing.ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST"));
        Assert.Equal($$"""[{"model_id":"{{modelId}}"}]""", (await _tracking.GetRunAsync(runId))["inputs"]!["model_inputs"]!.ToJsonString());
    }
}
