using Registry.Tests.Infrastructure;

namespace Registry.Tests.Artifacts;

/// <summary>MLflow 3: metrics logged with a model id belong to that logged model too, and logged-models/search uses them.</summary>
[Collection(RegistryCollection.Name)]
public sealed class LoggedModelMetricTests(RegistryAppFixture app)
{
    private readonly TrackingClient _tracking = new(app.Http, app.Tenants.ProjectId, app.Tenants.Developer);

    private async Task<string> ModelAsync(string experimentId, string name) =>
        (string)(await (await _tracking.PostAsync("logged-models", new { experiment_id = experimentId, name })).ShouldBeOkAsync())["model"]!["info"]!["model_id"]!;

    private static object Point(string key, double value, string? modelId = null, string? dataset = null, long timestamp = 1_000, long step = 0) =>
        new { key, value, timestamp, step, model_id = modelId, dataset_name = dataset, dataset_digest = dataset is null ? null : $"{dataset}-digest" };

    private async Task<JsonArray> ModelMetricsAsync(string modelId) =>
        (await (await _tracking.GetAsync($"logged-models/{modelId}")).ShouldBeOkAsync())["model"]!["data"]!["metrics"]!.AsArray();

    private async Task<List<string>> SearchAsync(object body) =>
        [.. (await (await _tracking.PostAsync("logged-models/search", body)).ShouldBeOkAsync())["models"]!.AsArray().Select(m => (string)m!["info"]!["name"]!)];

    [Fact]
    public async Task Metrics_logged_with_a_model_id_are_listed_on_the_model_with_their_run_and_dataset()
    {
        var experimentId = await _tracking.CreateExperimentAsync(MlflowHttp.UniqueName("lm-metrics"));
        var modelId = await ModelAsync(experimentId, "scored");
        var runId = await _tracking.NewRunIdAsync(experimentId);

        await (await _tracking.PostAsync("runs/log-metric", new { run_id = runId, key = "acc", value = 0.9, timestamp = 5, step = 1, model_id = modelId })).ShouldBeOkAsync();
        await (await _tracking.LogBatchAsync(runId, metrics: [Point("f1", 0.5, modelId, "eval"), Point("plain", 1)])).ShouldBeOkAsync();
        await (await _tracking.LogBatchAsync(runId, metrics: [Point("f1", 0.5, modelId, "eval")])).ShouldBeOkAsync();

        Assert.Equal(
            $$"""[{"key":"acc","value":0.9,"timestamp":5,"step":1,"model_id":"{{modelId}}","run_id":"{{runId}}"},""" +
            $$"""{"key":"f1","value":0.5,"timestamp":1000,"step":0,"dataset_name":"eval","dataset_digest":"eval-digest","model_id":"{{modelId}}","run_id":"{{runId}}"}]""",
            (await ModelMetricsAsync(modelId)).ToJsonString());
        var runMetrics = (await _tracking.GetRunAsync(runId))["data"]!["metrics"]!.AsArray().Select(m => (string)m!["key"]!);
        Assert.Equal(["acc", "f1", "plain"], runMetrics);
    }

    [Fact]
    public async Task A_metric_naming_a_model_the_project_does_not_have_logs_nothing()
    {
        var experimentId = await _tracking.CreateExperimentAsync(MlflowHttp.UniqueName("lm-missing"));
        var runId = await _tracking.NewRunIdAsync(experimentId);
        var theirs = new TrackingClient(app.Http, app.Tenants.OtherProjectId, app.Tenants.Outsider);
        var theirModel = (string)(await (await theirs.PostAsync("logged-models", new { name = "theirs" })).ShouldBeOkAsync())["model"]!["info"]!["model_id"]!;

        var response = await _tracking.LogBatchAsync(runId, metrics: [Point("ok", 1), Point("acc", 1, theirModel)]);

        Assert.Contains(theirModel, await response.ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST"));
        Assert.Empty((await _tracking.GetRunAsync(runId))["data"]!["metrics"]!.AsArray());
        Assert.Empty((await (await theirs.GetAsync($"logged-models/{theirModel}")).ShouldBeOkAsync())["model"]!["data"]!["metrics"]!.AsArray());
    }

    [Fact]
    public async Task Search_filters_and_orders_by_metrics_on_all_or_named_datasets()
    {
        var experimentId = await _tracking.CreateExperimentAsync(MlflowHttp.UniqueName("lm-search"));
        var runId = await _tracking.NewRunIdAsync(experimentId);
        var scores = new (string Name, double Test, double Eval)[] { ("low", 0.7, 0.95), ("high", 0.95, 0.6), ("mid", 0.9, 0.8) };
        foreach (var (name, test, eval) in scores)
        {
            var modelId = await ModelAsync(experimentId, name);
            // An older, better point that ordering must not use: ordering takes each model's latest point.
            await (await _tracking.LogBatchAsync(runId, metrics: [Point("acc", 0.99, modelId, "test", timestamp: 1), Point("acc", test, modelId, "test", timestamp: 2), Point("acc", eval, modelId, "eval", timestamp: 1)])).ShouldBeOkAsync();
        }
        await ModelAsync(experimentId, "unscored");
        string[] experiments = [experimentId];

        Assert.Equal(["high", "mid", "low"], await SearchAsync(new { experiment_ids = experiments, filter = "metrics.acc > 0.8", datasets = new[] { new { dataset_name = "test" } },
            order_by = new[] { new { field_name = "metrics.acc", ascending = false, dataset_name = "test" } } }));
        Assert.Equal(["low", "mid"], await SearchAsync(new { experiment_ids = experiments, filter = "metrics.acc >= 0.8", datasets = new[] { new { dataset_name = "eval", dataset_digest = "eval-digest" } },
            order_by = new[] { new { field_name = "name", ascending = true } } }));
        Assert.Equal(["high", "mid", "low", "unscored"], await SearchAsync(new { experiment_ids = experiments,
            order_by = new[] { new { field_name = "metrics.acc", ascending = false, dataset_name = "test" } } }));
        Assert.Equal(["high", "low", "mid"], await SearchAsync(new { experiment_ids = experiments, datasets = new[] { new { dataset_name = "eval" } },
            order_by = new[] { new { field_name = "name", ascending = true } } }));
        await (await _tracking.PostAsync("logged-models/search", new { experiment_ids = experiments, datasets = new[] { new { dataset_digest = "x" } } }))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        await (await _tracking.PostAsync("logged-models/search", new { experiment_ids = experiments, filter = "metrics.acc > 'high'" }))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
    }
}
