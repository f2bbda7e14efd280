using Registry.Tests.Admin;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Scale;

/// <summary>
/// Read-your-writes across replicas: whatever one replica answered 200 for, the other serves on the very next request,
/// with no wait and no retry, for every kind of thing the API keeps. Writes alternate between A and B; each is read
/// back through the other replica and through the balanced endpoint.
/// </summary>
[Collection(ScaleCollection.Name)]
public sealed class CrossReplicaReadTests(ScaleFixture scale)
{
    private readonly Replicas _replicas = scale.File;

    private TrackingClient Tracking(HttpClient http) => new(http, _replicas.Tenants.ProjectId, _replicas.Tenants.Developer);

    private ModelVersionClient Versions(HttpClient http) => new(http, _replicas.Tenants.ProjectId, _replicas.Tenants.Developer);

    /// <summary>Reads through the other replica and through the balancer; both must already show the write.</summary>
    private async Task ReadEverywhereAsync(HttpClient writer, Func<HttpClient, Task> read)
    {
        await read(writer == _replicas.A.Http ? _replicas.B.Http : _replicas.A.Http);
        await read(_replicas.Balanced.Http);
    }

    [Fact]
    public async Task Registered_models_versions_tags_aliases_and_stages_written_on_one_replica_are_read_on_the_other_at_once()
    {
        var (a, b) = (_replicas.A.Http, _replicas.B.Http);
        var name = MlflowHttp.UniqueName("cross");

        await Versions(a).Models.CreateAsync(name, "written on A");
        await ReadEverywhereAsync(a, async http => Assert.Equal("written on A", (string?)(await Versions(http).Models.GetAsync(name))["description"]));

        await (await Versions(b).SendAsync(HttpMethod.Patch, "registered-models/update", new { name, description = "updated on B" })).ShouldBeOkAsync();
        await (await Versions(b).SendAsync(HttpMethod.Post, "registered-models/set-tag", new { name, key = "team", value = "vision" })).ShouldBeOkAsync();
        await ReadEverywhereAsync(b, async http =>
        {
            var model = await Versions(http).Models.GetAsync(name);
            Assert.Equal("updated on B", (string?)model["description"]);
            Assert.Equal("vision", (string?)model["tags"]!.AsArray().Single()!["value"]);
        });

        var version = (string)(await Versions(a).CreateAsync(name, "mlflow-artifacts:/1/abc/artifacts/model", null, ("origin", "A")))["version"]!;
        await ReadEverywhereAsync(a, async http => Assert.Equal("A", (string?)(await Versions(http).GetAsync(name, version))["tags"]!.AsArray().Single()!["value"]));

        await Versions(b).TransitionAsync(name, version, "Production");
        await ReadEverywhereAsync(b, async http => Assert.Equal([(version, "Production")], await Versions(http).LatestAsync(name, "Production")));

        await (await Versions(a).SendAsync(HttpMethod.Post, "registered-models/alias", new { name, alias = "champion", version })).ShouldBeOkAsync();
        await ReadEverywhereAsync(a, async http => Assert.Equal(version, (string?)(await (await Versions(http).GetQueryAsync(
            $"registered-models/alias?name={name}&alias=champion")).ShouldBeOkAsync())["model_version"]!["version"]));

        await (await Versions(b).SendAsync(HttpMethod.Delete, "model-versions/delete", new { name, version })).ShouldBeOkAsync();
        await ReadEverywhereAsync(b, async http =>
            await (await Versions(http).GetRawAsync(name, version)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST"));
    }

    [Fact]
    public async Task Experiments_runs_params_metrics_and_logged_models_written_on_one_replica_are_read_on_the_other_at_once()
    {
        var (a, b) = (_replicas.A.Http, _replicas.B.Http);
        var experimentName = MlflowHttp.UniqueName("cross-experiment");

        var experimentId = await Tracking(b).CreateExperimentAsync(experimentName, ("owner", "B"));
        await ReadEverywhereAsync(b, async http => Assert.Equal(experimentId, (string?)(await (await Tracking(http).GetAsync(
            $"experiments/get-by-name?experiment_name={experimentName}")).ShouldBeOkAsync())["experiment"]!["experiment_id"]));

        var runId = await Tracking(a).NewRunIdAsync(experimentId, "on-a");
        await (await Tracking(a).PostAsync("runs/log-parameter", new { run_id = runId, key = "lr", value = "0.01" })).ShouldBeOkAsync();
        await (await Tracking(a).PostAsync("runs/log-metric", new { run_id = runId, key = "loss", value = 0.5, timestamp = 1_700_000_000_000, step = 1 })).ShouldBeOkAsync();
        await (await Tracking(a).PostAsync("runs/set-tag", new { run_id = runId, key = "stage", value = "train" })).ShouldBeOkAsync();
        await ReadEverywhereAsync(a, async http =>
        {
            var run = await Tracking(http).GetRunAsync(runId);
            Assert.Equal("0.01", (string?)run["data"]!["params"]!.AsArray().Single()!["value"]);
            Assert.Equal(0.5, (double)run["data"]!["metrics"]!.AsArray().Single()!["value"]!);
            Assert.Contains(run["data"]!["tags"]!.AsArray(), t => (string?)t!["key"] == "stage" && (string?)t["value"] == "train");
        });

        await (await Tracking(b).LogBatchAsync(runId, [TrackingClient.Metric("loss", 0.25, step: 2), TrackingClient.Metric("acc", 0.9)])).ShouldBeOkAsync();
        await ReadEverywhereAsync(b, async http =>
        {
            var history = await (await Tracking(http).GetAsync($"metrics/get-history?run_id={runId}&metric_key=loss")).ShouldBeOkAsync();
            Assert.Equal([0.5, 0.25], history["metrics"]!.AsArray().Select(m => (double)m!["value"]!));
        });

        var model = (await (await Tracking(a).PostAsync("logged-models", new { experiment_id = experimentId, name = "classifier", source_run_id = runId }))
            .ShouldBeOkAsync())["model"]!;
        var modelId = (string)model["info"]!["model_id"]!;
        await (await b.SendRawAsync(HttpMethod.Patch, MlflowHttp.Path(_replicas.Tenants.ProjectId, $"logged-models/{modelId}/tags"),
            JsonContent.Create(new { tags = new[] { new { key = "quality", value = "good" } } }), _replicas.Tenants.Developer)).ShouldBeOkAsync();
        await ReadEverywhereAsync(b, async http =>
        {
            var read = (await (await Tracking(http).GetAsync($"logged-models/{modelId}")).ShouldBeOkAsync())["model"]!;
            Assert.Equal(runId, (string?)read["info"]!["source_run_id"]);
            Assert.Contains(read["info"]!["tags"]!.AsArray(), t => (string?)t!["key"] == "quality");
        });
    }

    [Fact]
    public async Task Renames_deletions_restores_run_updates_inputs_and_searches_on_one_replica_are_seen_by_the_other_at_once()
    {
        var (a, b) = (_replicas.A.Http, _replicas.B.Http);
        var (oldName, newName) = (MlflowHttp.UniqueName("renamed-from"), MlflowHttp.UniqueName("renamed-to"));

        var experimentId = await Tracking(a).CreateExperimentAsync(oldName);
        await (await Tracking(b).PostAsync("experiments/update", new { experiment_id = experimentId, new_name = newName })).ShouldBeOkAsync();
        await (await Tracking(b).PostAsync("experiments/set-experiment-tag", new { experiment_id = experimentId, key = "team", value = "vision" })).ShouldBeOkAsync();
        await ReadEverywhereAsync(b, async http =>
        {
            var experiment = await Tracking(http).GetExperimentAsync(experimentId);
            Assert.Equal(newName, (string?)experiment["name"]);
            Assert.Contains(experiment["tags"]!.AsArray(), t => (string?)t!["key"] == "team" && (string?)t["value"] == "vision");
        });

        var (kept, deleted) = (await Tracking(a).NewRunIdAsync(experimentId, "kept"), await Tracking(a).NewRunIdAsync(experimentId, "deleted"));
        await (await Tracking(b).PostAsync("runs/update", new { run_id = kept, status = "FINISHED", end_time = 1_700_000_100_000 })).ShouldBeOkAsync();
        await (await Tracking(b).PostAsync("runs/log-inputs", new
        {
            run_id = kept,
            datasets = new[] { new { dataset = new { name = "train", digest = "d1", source_type = "local", source = "{}" } } },
        })).ShouldBeOkAsync();
        await (await Tracking(b).PostAsync("runs/delete", new { run_id = deleted })).ShouldBeOkAsync();
        await ReadEverywhereAsync(b, async http =>
        {
            var run = await Tracking(http).GetRunAsync(kept);
            Assert.Equal("FINISHED", (string?)run["info"]!["status"]);
            Assert.Equal("train", (string?)run["inputs"]!["dataset_inputs"]!.AsArray().Single()!["dataset"]!["name"]);
            Assert.Equal("deleted", (string?)(await Tracking(http).GetRunAsync(deleted))["info"]!["lifecycle_stage"]);
            Assert.Equal(["kept"], (await Tracking(http).SearchRunsAsync([experimentId])).RunIds);
        });

        await (await Tracking(a).PostAsync("experiments/delete", new { experiment_id = experimentId })).ShouldBeOkAsync();
        await ReadEverywhereAsync(a, async http => Assert.Equal("deleted", (string?)(await Tracking(http).GetExperimentAsync(experimentId))["lifecycle_stage"]));
        await (await Tracking(b).PostAsync("experiments/restore", new { experiment_id = experimentId })).ShouldBeOkAsync();
        await ReadEverywhereAsync(b, async http => Assert.Equal("active", (string?)(await Tracking(http).GetExperimentAsync(experimentId))["lifecycle_stage"]));

        await Versions(a).Models.CreateAsync(oldName);
        await (await Versions(b).SendAsync(HttpMethod.Post, "registered-models/rename", new { name = oldName, new_name = newName })).ShouldBeOkAsync();
        await ReadEverywhereAsync(b, async http =>
        {
            Assert.Equal([newName], (await Versions(http).Models.SearchAsync($"name = '{newName}'")).Names);
            await (await Versions(http).Models.GetRawAsync(oldName)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        });
        await (await Versions(a).SendAsync(HttpMethod.Delete, "registered-models/delete", new { name = newName })).ShouldBeOkAsync();
        await ReadEverywhereAsync(a, async http =>
            await (await Versions(http).Models.GetRawAsync(newName)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST"));
    }

    [Fact]
    public async Task Users_tokens_and_members_created_on_one_replica_work_on_the_other_at_once()
    {
        var (a, b) = (_replicas.A.Http, _replicas.B.Http);
        var adminOnA = new AdminHttp(a, _replicas.Admin);
        var adminOnB = new AdminHttp(b, _replicas.Admin);

        var projectId = await adminOnA.ProjectAsync();
        var person = await adminOnB.PersonAsync();
        var self = await adminOnA.OkAsync(HttpMethod.Get, "user", person.Token);
        Assert.Equal(person.Username, (string?)self["username"]);
        // A remembers that this person may not see the project; A's own change makes A forget it. A replica that had
        // remembered it too learns of the change from the database's notification: see CrossReplicaWindowTests.
        await (await a.PostJsonAsync(projectId, "experiments/create", new { name = "before" }, person.Token))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");

        await adminOnA.OkAsync(HttpMethod.Post, $"projects/{projectId}/members", _replicas.Admin, new { user_id = person.Id, access_level = 30 });
        await ReadEverywhereAsync(a, async http =>
            await (await http.PostJsonAsync(projectId, "experiments/create", new { name = MlflowHttp.UniqueName("member") }, person.Token)).ShouldBeOkAsync());
    }
}
