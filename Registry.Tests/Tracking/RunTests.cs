using Registry.Tests.Infrastructure;
using static Registry.Tests.Infrastructure.TrackingClient;

namespace Registry.Tests.Tracking;

[Collection(RegistryCollection.Name)]
public sealed class RunTests(RegistryAppFixture app)
{
    private readonly TrackingClient _tracking = new(app.Http, app.Tenants.ProjectId, app.Tenants.Developer);

    private async Task<string> ExperimentAsync() => await _tracking.CreateExperimentAsync(MlflowHttp.UniqueName("runs"));

    [Fact]
    public async Task Start_run_log_and_end_as_the_client_does()
    {
        var experimentId = await ExperimentAsync();
        var created = await _tracking.CreateRunAsync(experimentId, "brave-owl-42", 1_700_000_000_000, ("mlflow.user", "alice"), ("mlflow.source.name", "train.py"));
        var runId = (string)created["info"]!["run_id"]!;

        await (await _tracking.PostAsync("runs/log-parameter", new { run_id = runId, key = "lr", value = "0.01" })).ShouldBeOkAsync();
        await (await _tracking.PostAsync("runs/log-metric", new { run_id = runId, key = "loss", value = 0.5, timestamp = 1_700_000_000_100, step = 1 })).ShouldBeOkAsync();
        await (await _tracking.PostAsync("runs/log-metric", new { run_id = runId, key = "loss", value = 0.25, timestamp = 1_700_000_000_200, step = 2 })).ShouldBeOkAsync();
        var ended = await (await _tracking.PostAsync("runs/update", new { run_id = runId, status = "FINISHED", end_time = 1_700_000_001_000 })).ShouldBeOkAsync();
        var run = await _tracking.GetRunAsync(runId);

        Assert.Matches("^[0-9a-f]{32}$", runId);
        Assert.Equal("FINISHED", (string?)ended["run_info"]!["status"]);
        var info = run["info"]!;
        Assert.Equal(experimentId, (string?)info["experiment_id"]);
        Assert.Equal("brave-owl-42", (string?)info["run_name"]);
        Assert.Equal(runId, (string?)info["run_uuid"]);
        Assert.Equal(1_700_000_000_000, (long)info["start_time"]!);
        Assert.Equal(1_700_000_001_000, (long)info["end_time"]!);
        Assert.Equal($"mlflow-artifacts:/{experimentId}/{runId}/artifacts", (string?)info["artifact_uri"]);
        Assert.Equal("active", (string?)info["lifecycle_stage"]);
        Assert.Equal("""[{"key":"loss","value":0.25,"timestamp":1700000000200,"step":2}]""", run["data"]!["metrics"]!.ToJsonString());
        Assert.Equal("""[{"key":"lr","value":"0.01"}]""", run["data"]!["params"]!.ToJsonString());
        Assert.Equal("""[{"key":"mlflow.runName","value":"brave-owl-42"},{"key":"mlflow.source.name","value":"train.py"},{"key":"mlflow.user","value":"alice"}]""",
            run["data"]!["tags"]!.ToJsonString());
    }

    [Fact]
    public async Task Runs_without_an_experiment_go_to_experiment_0()
    {
        var run = await _tracking.CreateRunAsync("0");

        Assert.Equal("0", (string?)run["info"]!["experiment_id"]);
        Assert.StartsWith("run-", (string?)run["info"]!["run_name"]);
    }

    [Fact]
    public async Task Params_are_write_once_the_same_value_again_is_fine()
    {
        var runId = await _tracking.NewRunIdAsync(await ExperimentAsync());
        await (await _tracking.PostAsync("runs/log-parameter", new { run_id = runId, key = "lr", value = "0.01" })).ShouldBeOkAsync();

        await (await _tracking.PostAsync("runs/log-parameter", new { run_id = runId, key = "lr", value = "0.01" })).ShouldBeOkAsync();
        var message = await (await _tracking.PostAsync("runs/log-parameter", new { run_id = runId, key = "lr", value = "0.02" }))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");

        Assert.Contains("lr", message);
        Assert.Equal("""[{"key":"lr","value":"0.01"}]""", (await _tracking.GetRunAsync(runId))["data"]!["params"]!.ToJsonString());
    }

    [Fact]
    public async Task Log_batch_is_all_or_nothing()
    {
        var runId = await _tracking.NewRunIdAsync(await ExperimentAsync());
        await (await _tracking.PostAsync("runs/log-parameter", new { run_id = runId, key = "lr", value = "0.01" })).ShouldBeOkAsync();

        var response = await _tracking.LogBatchAsync(runId,
            metrics: [Metric("acc", 0.9)], parameters: [Pair("batch", "32"), Pair("lr", "0.5")], tags: [Pair("note", "x")]);

        await response.ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        var data = (await _tracking.GetRunAsync(runId))["data"]!;
        Assert.Empty(data["metrics"]!.AsArray());
        Assert.Equal("""[{"key":"lr","value":"0.01"}]""", data["params"]!.ToJsonString());
        Assert.DoesNotContain("note", data["tags"]!.ToJsonString());
    }

    [Fact]
    public async Task Log_batch_takes_1000_metrics_and_keeps_every_point()
    {
        var runId = await _tracking.NewRunIdAsync(await ExperimentAsync());

        await (await _tracking.LogBatchAsync(runId, metrics: [.. Enumerable.Range(0, 1000).Select(i => Metric("loss", 1.0 / (i + 1), step: i))])).ShouldBeOkAsync();

        var history = await (await _tracking.GetAsync($"metrics/get-history?run_id={runId}&metric_key=loss")).ShouldBeOkAsync();
        Assert.Equal(1000, history["metrics"]!.AsArray().Count);
        Assert.Equal(999, (long)(await _tracking.GetRunAsync(runId))["data"]!["metrics"]![0]!["step"]!);
    }

    [Theory]
    [InlineData(1001, 0, 0)]
    [InlineData(0, 101, 0)]
    [InlineData(0, 0, 101)]
    [InlineData(950, 50, 50)]
    public async Task Log_batch_limits_are_INVALID_PARAMETER_VALUE(int metrics, int parameters, int tags)
    {
        var runId = await _tracking.NewRunIdAsync(await ExperimentAsync());

        var response = await _tracking.LogBatchAsync(runId,
            [.. Enumerable.Range(0, metrics).Select(i => Metric($"m{i}", 1))],
            [.. Enumerable.Range(0, parameters).Select(i => Pair($"p{i}", "v"))],
            [.. Enumerable.Range(0, tags).Select(i => Pair($"t{i}", "v"))]);

        await response.ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        Assert.Empty((await _tracking.GetRunAsync(runId))["data"]!["metrics"]!.AsArray());
    }

    [Fact]
    public async Task NaN_and_infinities_round_trip_as_MLflow_sends_them()
    {
        var runId = await _tracking.NewRunIdAsync(await ExperimentAsync());

        await (await _tracking.LogBatchAsync(runId, metrics: [Metric("m", "NaN", 0), Metric("m", "Infinity", 1), Metric("m", "-Infinity", 2)])).ShouldBeOkAsync();

        var values = (await (await _tracking.GetAsync($"metrics/get-history?run_id={runId}&metric_key=m")).ShouldBeOkAsync())["metrics"]!.AsArray()
            .Select(m => m!["value"]!.ToJsonString());
        Assert.Equal(["\"NaN\"", "\"Infinity\"", "\"-Infinity\""], values);
    }

    [Fact]
    public async Task The_latest_metric_is_the_highest_step_not_the_last_logged()
    {
        var runId = await _tracking.NewRunIdAsync(await ExperimentAsync());

        await (await _tracking.LogBatchAsync(runId, metrics: [Metric("loss", 0.5, step: 5)])).ShouldBeOkAsync();
        await (await _tracking.LogBatchAsync(runId, metrics: [Metric("loss", 0.9, step: 1)])).ShouldBeOkAsync();

        Assert.Equal(0.5, (double)(await _tracking.GetRunAsync(runId))["data"]!["metrics"]![0]!["value"]!);
    }

    [Fact]
    public async Task Metric_history_pages_in_step_order()
    {
        var runId = await _tracking.NewRunIdAsync(await ExperimentAsync());
        for (var batch = 2; batch >= 0; batch--)
        {
            await (await _tracking.LogBatchAsync(runId, metrics: [.. Enumerable.Range(batch * 1000, 1000).Select(i => Metric("x", i, step: i))])).ShouldBeOkAsync();
        }

        var steps = new List<long>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await (await _tracking.GetAsync($"metrics/get-history?run_id={runId}&metric_key=x&max_results=1200{(token is null ? "" : $"&page_token={token}")}")).ShouldBeOkAsync();
            steps.AddRange(page["metrics"]!.AsArray().Select(m => (long)m!["step"]!));
            token = (string?)page["next_page_token"];
            pages++;
        }
        while (token is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 3000).Select(i => (long)i), steps);
    }

    [Fact]
    public async Task Bulk_interval_samples_each_run_across_the_step_range()
    {
        var experimentId = await ExperimentAsync();
        var runs = new[] { await _tracking.NewRunIdAsync(experimentId), await _tracking.NewRunIdAsync(experimentId) };
        foreach (var runId in runs)
        {
            await (await _tracking.LogBatchAsync(runId, metrics: [.. Enumerable.Range(0, 100).Select(i => Metric("loss", i, step: i))])).ShouldBeOkAsync();
        }

        var body = await (await _tracking.GetAsync($"metrics/get-history-bulk-interval?run_ids={runs[0]}&run_ids={runs[1]}&metric_key=loss&start_step=10&end_step=90&max_results=10")).ShouldBeOkAsync();

        foreach (var runId in runs)
        {
            var steps = body["metrics"]!.AsArray().Where(m => (string)m!["run_id"]! == runId).Select(m => (long)m!["step"]!).ToList();
            Assert.InRange(steps.Count, 9, 11);
            Assert.Equal(10, steps[0]);
            Assert.Equal(90, steps[^1]);
        }
    }

    [Fact]
    public async Task A_deleted_run_refuses_writes_until_restored()
    {
        var runId = await _tracking.NewRunIdAsync(await ExperimentAsync());

        await (await _tracking.PostAsync("runs/delete", new { run_id = runId })).ShouldBeOkAsync();
        Assert.Equal("deleted", (string?)(await _tracking.GetRunAsync(runId))["info"]!["lifecycle_stage"]);
        var message = await (await _tracking.LogBatchAsync(runId, metrics: [Metric("m", 1)])).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        Assert.Contains("active", message);

        await (await _tracking.PostAsync("runs/restore", new { run_id = runId })).ShouldBeOkAsync();
        await (await _tracking.LogBatchAsync(runId, metrics: [Metric("m", 1)])).ShouldBeOkAsync();
    }

    [Fact]
    public async Task Run_name_and_the_mlflow_runName_tag_stay_in_step()
    {
        var runId = await _tracking.NewRunIdAsync(await ExperimentAsync(), "first");

        await (await _tracking.PostAsync("runs/set-tag", new { run_id = runId, key = "mlflow.runName", value = "second" })).ShouldBeOkAsync();
        Assert.Equal("second", (string?)(await _tracking.GetRunAsync(runId))["info"]!["run_name"]);

        await (await _tracking.PostAsync("runs/update", new { run_id = runId, run_name = "third" })).ShouldBeOkAsync();
        var run = await _tracking.GetRunAsync(runId);
        Assert.Equal("third", (string?)run["info"]!["run_name"]);
        Assert.Contains("""{"key":"mlflow.runName","value":"third"}""", run["data"]!["tags"]!.ToJsonString());
    }

    [Fact]
    public async Task A_run_name_over_250_characters_is_refused_by_update_set_tag_and_log_batch_and_changes_nothing()
    {
        var runId = await _tracking.NewRunIdAsync(await ExperimentAsync(), "kept");
        var tooLong = new string('n', 251);

        await (await _tracking.PostAsync("runs/update", new { run_id = runId, run_name = tooLong }))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        await (await _tracking.PostAsync("runs/set-tag", new { run_id = runId, key = "mlflow.runName", value = tooLong }))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        await (await _tracking.PostAsync("runs/log-batch", new { run_id = runId, tags = new[] { new { key = "mlflow.runName", value = tooLong } } }))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");

        Assert.Equal("kept", (string?)(await _tracking.GetRunAsync(runId))["info"]!["run_name"]);
    }

    [Fact]
    public async Task Tags_are_deleted_and_a_missing_tag_is_RESOURCE_DOES_NOT_EXIST()
    {
        var runId = await _tracking.NewRunIdAsync(await ExperimentAsync());
        await (await _tracking.PostAsync("runs/set-tag", new { run_id = runId, key = "k", value = "v" })).ShouldBeOkAsync();

        await (await _tracking.PostAsync("runs/delete-tag", new { run_id = runId, key = "k" })).ShouldBeOkAsync();

        await (await _tracking.PostAsync("runs/delete-tag", new { run_id = runId, key = "k" })).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }

    [Fact]
    public async Task Datasets_and_logged_models_are_kept_with_the_run()
    {
        var runId = await _tracking.NewRunIdAsync(await ExperimentAsync());
        var dataset = new { name = "iris", digest = "abc123", source_type = "local", source = "{\"uri\": \"/data/iris.csv\"}", schema = "{}" };

        await (await _tracking.PostAsync("runs/log-inputs", new { run_id = runId, datasets = new[] { new { tags = new[] { Pair("mlflow.data.context", "training") }, dataset } } })).ShouldBeOkAsync();
        await (await _tracking.PostAsync("runs/log-inputs", new { run_id = runId, datasets = new[] { new { tags = Array.Empty<object>(), dataset } } })).ShouldBeOkAsync();
        await (await _tracking.PostAsync("runs/log-model", new { run_id = runId, model_json = """{"artifact_path": "model", "flavors": {"sklearn": {}}}""" })).ShouldBeOkAsync();
        await (await _tracking.PostAsync("runs/log-model", new { run_id = runId, model_json = """{"artifact_path": "model2"}""" })).ShouldBeOkAsync();

        var run = await _tracking.GetRunAsync(runId);
        var input = Assert.Single(run["inputs"]!["dataset_inputs"]!.AsArray())!;
        Assert.Equal("iris", (string?)input["dataset"]!["name"]);
        Assert.Equal("training", (string?)input["tags"]![0]!["value"]);
        var history = run["data"]!["tags"]!.AsArray().Single(t => (string)t!["key"]! == "mlflow.log-model.history")!;
        Assert.Equal(2, JsonNode.Parse((string)history["value"]!)!.AsArray().Count);
    }

    [Theory]
    [InlineData("runs/log-metric", """{"run_id": "{RUN}", "key": "m", "timestamp": 1}""", "value")]
    [InlineData("runs/log-metric", """{"run_id": "{RUN}", "key": "m", "value": 1}""", "timestamp")]
    [InlineData("runs/log-metric", """{"run_id": "{RUN}", "key": "../m", "value": 1, "timestamp": 1}""", "../m")]
    [InlineData("runs/log-metric", """{"run_id": "{RUN}", "key": "m", "value": "lots", "timestamp": 1}""", "value")]
    [InlineData("runs/log-parameter", """{"run_id": "{RUN}", "key": "p"}""", "value")]
    [InlineData("runs/set-tag", """{"run_id": "{RUN}", "key": "", "value": "v"}""", "key")]
    [InlineData("runs/update", """{"run_id": "{RUN}", "status": "DONE"}""", "DONE")]
    [InlineData("runs/log-model", """{"run_id": "{RUN}", "model_json": "not json"}""", "model_json")]
    [InlineData("runs/log-inputs", """{"run_id": "{RUN}", "datasets": [{"dataset": {"name": "d"}}]}""", "digest")]
    [InlineData("runs/log-batch", """{"run_id": "{RUN}", "params": [{"key": "a", "value": "1"}, {"key": "a", "value": "2"}]}""", "a")]
    [InlineData("runs/log-metric", """{"key": "m", "value": 1, "timestamp": 1}""", "run_id")]
    public async Task Bad_run_requests_are_INVALID_PARAMETER_VALUE(string rpc, string body, string mentioned)
    {
        var runId = await _tracking.NewRunIdAsync(await ExperimentAsync());

        var message = await (await app.Http.PostRawAsync(app.Tenants.ProjectId, rpc, body.Replace("{RUN}", runId), app.Tenants.Developer))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");

        Assert.Contains(mentioned, message);
    }

    [Fact]
    public async Task Unknown_runs_are_RESOURCE_DOES_NOT_EXIST_and_other_projects_cannot_reach_ours()
    {
        var runId = await _tracking.NewRunIdAsync(await ExperimentAsync());
        var theirs = new TrackingClient(app.Http, app.Tenants.OtherProjectId, app.Tenants.Outsider);

        await (await _tracking.GetAsync("runs/get?run_id=00000000000000000000000000000000")).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        await (await theirs.GetAsync($"runs/get?run_id={runId}")).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        await (await theirs.LogBatchAsync(runId, metrics: [Metric("m", 1)])).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        await (await theirs.GetAsync($"metrics/get-history?run_id={runId}&metric_key=m")).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }

    [Fact]
    public async Task Concurrent_writers_logging_the_same_param_leave_one_value()
    {
        var runId = await _tracking.NewRunIdAsync(await ExperimentAsync());

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            _tracking.PostAsync("runs/log-parameter", new { run_id = runId, key = "seed", value = $"{i % 2}" })));

        var stored = (string)(await _tracking.GetRunAsync(runId))["data"]!["params"]![0]!["value"]!;
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest));
        Assert.Equal(8, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Contains(stored, new[] { "0", "1" });
    }
}
