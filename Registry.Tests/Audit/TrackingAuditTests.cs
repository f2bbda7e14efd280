using Registry.Tests.Admin;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Audit;

/// <summary>
/// The audit trail of the tracking API (experiments, runs, logged models) and the artifact proxy: each write leaves one
/// event naming its author, token and request, with the fields it changed; metric, param and input ingestion leaves none
/// (README, Audit events); a write that fails leaves nothing. Each test has a project of its own.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class TrackingAuditTests(RegistryAppFixture app)
{
    private AdminHttp Admin => new(app.Http, new TestToken(app.BootstrapToken));

    [Fact]
    public async Task A_scripted_tracking_session_leaves_exactly_its_writes_and_no_ingestion()
    {
        var project = await Admin.ProjectAsync();
        var developer = await Admin.PersonAsync(project, 30);
        var maintainer = await Admin.PersonAsync(project, 40);
        var session = new Session(app.Http, project, developer.Token);
        var experimentName = MlflowHttp.UniqueName("audited-experiment");

        var experimentId = (string)(await session.OkAsync(HttpMethod.Post, "experiments/create",
            new { name = experimentName, tags = new[] { new { key = "team", value = "ml" } } }))["experiment_id"]!;
        await session.OkAsync(HttpMethod.Post, "experiments/update", new { experiment_id = experimentId, new_name = experimentName + "-renamed" });
        await session.OkAsync(HttpMethod.Post, "experiments/set-experiment-tag", new { experiment_id = experimentId, key = "team", value = "platform" });
        await session.OkAsync(HttpMethod.Post, "experiments/delete-experiment-tag", new { experiment_id = experimentId, key = "team" });
        var run = (await session.OkAsync(HttpMethod.Post, "runs/create", new
        {
            experiment_id = experimentId, run_name = "first", start_time = 1_700_000_000_000, tags = new[] { new { key = "mlflow.user", value = "me" } },
        }))["run"]!;
        var runId = (string)run["info"]!["run_id"]!;
        // Ingestion is not audited per call.
        await session.UnrecordedAsync(HttpMethod.Post, "runs/log-batch", new
        {
            run_id = runId, metrics = new[] { TrackingClient.Metric("loss", 0.5) }, @params = new[] { TrackingClient.Pair("alpha", "0.1") },
        });
        await session.UnrecordedAsync(HttpMethod.Post, "runs/log-metric", new { run_id = runId, key = "loss", value = 0.4, timestamp = 1_700_000_000_001, step = 1 });
        await session.OkAsync(HttpMethod.Post, "runs/set-tag", new { run_id = runId, key = "stage", value = "dev" });
        await session.OkAsync(HttpMethod.Post, "runs/delete-tag", new { run_id = runId, key = "stage" });
        await session.OkAsync(HttpMethod.Post, "runs/update", new { run_id = runId, status = "FINISHED", end_time = 1_700_000_001_000 });
        await session.OkAsync(HttpMethod.Post, "runs/delete", new { run_id = runId });
        await session.OkAsync(HttpMethod.Post, "runs/restore", new { run_id = runId });
        var model = (await session.OkAsync(HttpMethod.Post, "logged-models", new
        {
            experiment_id = experimentId, name = "classifier", source_run_id = runId, model_type = "Classifier",
            tags = new[] { new { key = "owner", value = "ml" } },
        }))["model"]!;
        var modelId = (string)model["info"]!["model_id"]!;
        await session.OkAsync(HttpMethod.Patch, $"logged-models/{modelId}/tags", new { tags = new[] { new { key = "owner", value = "ops" }, new { key = "new", value = "1" } } });
        await session.OkAsync(HttpMethod.Patch, $"logged-models/{modelId}", new { status = "LOGGED_MODEL_READY" });
        await session.OkAsync(HttpMethod.Delete, $"logged-models/{modelId}/tags/new", null);
        await session.OkAsync(HttpMethod.Delete, $"logged-models/{modelId}", null);
        var artifact = $"{experimentId}/{runId}/artifacts/model/weights.bin";
        await session.OkAsync(HttpMethod.Put, Session.ArtifactRpc(artifact), new ByteArrayContent(new byte[1234]));
        await session.OkAsync(HttpMethod.Delete, Session.ArtifactRpc($"{experimentId}/{runId}/artifacts/model"), null);
        // Deleting what is not there changes nothing and records nothing.
        await session.UnrecordedAsync(HttpMethod.Delete, Session.ArtifactRpc($"{experimentId}/{runId}/artifacts/model"), null);
        await session.OkAsync(HttpMethod.Post, "experiments/delete", new { experiment_id = experimentId });
        await session.OkAsync(HttpMethod.Post, "experiments/restore", new { experiment_id = experimentId });

        var events = await SessionEventsAsync(project, maintainer.Token);
        Assert.Equal(
            ["experiment_created", "experiment_renamed", "experiment_tag_set", "experiment_tag_deleted",
             "run_created", "run_tag_set", "run_tag_deleted", "run_updated", "run_deleted", "run_restored",
             "logged_model_created", "logged_model_tags_set", "logged_model_finalized", "logged_model_tag_deleted", "logged_model_deleted",
             "artifact_uploaded", "artifact_deleted", "experiment_deleted", "experiment_restored"],
            events.Select(e => (string)e["event_name"]!));
        Assert.Equal(session.RequestIds, events.Select(e => (string)e["details"]!["request_id"]!));
        Assert.All(events, e =>
        {
            Assert.Equal(developer.Id, (long)e["author_id"]!);
            Assert.Equal(developer.TokenId, (long)e["details"]!["token_id"]!);
            Assert.Equal("api", (string)e["details"]!["via"]!);
            Assert.False(string.IsNullOrEmpty((string?)e["details"]!["ip_address"]));
        });
        Assert.Equal(
            [experimentId, experimentId, experimentId, experimentId, runId, runId, runId, runId, runId, runId,
             modelId, modelId, modelId, modelId, modelId, artifact, $"{experimentId}/{runId}/artifacts/model", experimentId, experimentId],
            events.Select(e => (string)e["details"]!["target_id"]!));
        Assert.Equal(
            ["Experiment", "Run", "LoggedModel", "Artifact", "Experiment"],
            new[] { 0, 4, 10, 15, 17 }.Select(i => (string)events[i]["details"]!["target_type"]!));

        AssertChanges($$$$"""{"name": {"from": null, "to": "{{{{experimentName}}}}"}, "tags": {"from": null, "to": {"team": "ml"}}}""", events[0]);
        AssertChanges($$$$"""{"name": {"from": "{{{{experimentName}}}}", "to": "{{{{experimentName}}}}-renamed"}}""", events[1]);
        AssertChanges("""{"tags.team": {"from": "ml", "to": "platform"}}""", events[2]);
        AssertChanges("""{"tags.team": {"from": "platform", "to": null}}""", events[3]);
        AssertChanges($$$$"""{"name": {"from": null, "to": "first"}, "experiment_id": {"from": null, "to": "{{{{experimentId}}}}"}, "tags": {"from": null, "to": {"mlflow.user": "me", "mlflow.runName": "first"}}}""", events[4]);
        AssertChanges("""{"tags.stage": {"from": null, "to": "dev"}}""", events[5]);
        AssertChanges("""{"tags.stage": {"from": "dev", "to": null}}""", events[6]);
        AssertChanges("""{"status": {"from": "RUNNING", "to": "FINISHED"}, "end_time": {"from": null, "to": 1700000001000}}""", events[7]);
        AssertChanges("""{"lifecycle_stage": {"from": "active", "to": "deleted"}}""", events[8]);
        AssertChanges("""{"lifecycle_stage": {"from": "deleted", "to": "active"}}""", events[9]);
        AssertChanges($$$$"""
            {"name": {"from": null, "to": "classifier"}, "experiment_id": {"from": null, "to": "{{{{experimentId}}}}"}, "model_type": {"from": null, "to": "Classifier"},
             "source_run_id": {"from": null, "to": "{{{{runId}}}}"}, "tags": {"from": null, "to": {"owner": "ml"}}}
            """, events[10]);
        AssertChanges("""{"tags.owner": {"from": "ml", "to": "ops"}, "tags.new": {"from": null, "to": "1"}}""", events[11]);
        AssertChanges("""{"status": {"from": "LOGGED_MODEL_PENDING", "to": "LOGGED_MODEL_READY"}}""", events[12]);
        AssertChanges("""{"tags.new": {"from": "1", "to": null}}""", events[13]);
        AssertChanges("""{"lifecycle_stage": {"from": "active", "to": "deleted"}}""", events[14]);
        AssertChanges("""{"size": {"from": null, "to": 1234}}""", events[15]);
        AssertChanges("""{"size": {"from": 1234, "to": null}}""", events[16]);
        AssertChanges("""{"lifecycle_stage": {"from": "active", "to": "deleted"}}""", events[17]);
        Assert.Equal("first", (string)events[7]["details"]!["target_details"]!);
        Assert.Equal("classifier", (string)events[12]["details"]!["target_details"]!);
    }

    [Fact]
    public async Task Tracking_and_artifact_writes_that_fail_record_nothing()
    {
        var project = await Admin.ProjectAsync();
        var developer = await Admin.PersonAsync(project, 30);
        var maintainer = await Admin.PersonAsync(project, 40);
        var session = new Session(app.Http, project, developer.Token);
        var taken = MlflowHttp.UniqueName("taken");
        var experimentId = (string)(await session.OkAsync(HttpMethod.Post, "experiments/create", new { name = taken }))["experiment_id"]!;
        var other = (string)(await session.OkAsync(HttpMethod.Post, "experiments/create", new { name = taken + "-other" }))["experiment_id"]!;
        var runId = (string)(await session.OkAsync(HttpMethod.Post, "runs/create", new { experiment_id = experimentId }))["run"]!["info"]!["run_id"]!;
        var deletedRun = (string)(await session.OkAsync(HttpMethod.Post, "runs/create", new { experiment_id = experimentId }))["run"]!["info"]!["run_id"]!;
        await session.OkAsync(HttpMethod.Post, "runs/delete", new { run_id = deletedRun });
        var file = $"{experimentId}/{runId}/artifacts/file.txt";
        await session.OkAsync(HttpMethod.Put, Session.ArtifactRpc(file), new ByteArrayContent([1, 2, 3]));
        var recorded = await SessionEventsAsync(project, maintainer.Token);
        Assert.Equal(6, recorded.Count);

        await session.FailsAsync(HttpMethod.Post, "experiments/create", new { name = taken }, HttpStatusCode.BadRequest);
        await session.FailsAsync(HttpMethod.Post, "experiments/update", new { experiment_id = other, new_name = taken }, HttpStatusCode.BadRequest);
        await session.FailsAsync(HttpMethod.Post, "experiments/set-experiment-tag", new { experiment_id = "999999", key = "k", value = "v" }, HttpStatusCode.NotFound);
        await session.FailsAsync(HttpMethod.Post, "experiments/delete", new { experiment_id = "999999" }, HttpStatusCode.NotFound);
        await session.FailsAsync(HttpMethod.Post, "runs/create", new { experiment_id = "999999" }, HttpStatusCode.NotFound);
        await session.FailsAsync(HttpMethod.Post, "runs/set-tag", new { run_id = deletedRun, key = "k", value = "v" }, HttpStatusCode.BadRequest);
        await session.FailsAsync(HttpMethod.Post, "runs/set-tag", new { run_id = "0123456789abcdef0123456789abcdef", key = "k", value = "v" }, HttpStatusCode.NotFound);
        await session.FailsAsync(HttpMethod.Post, "runs/delete-tag", new { run_id = runId, key = "absent" }, HttpStatusCode.NotFound);
        await session.FailsAsync(HttpMethod.Post, "runs/update", new { run_id = deletedRun, status = "FINISHED" }, HttpStatusCode.BadRequest);
        await session.FailsAsync(HttpMethod.Post, "runs/delete", new { run_id = "0123456789abcdef0123456789abcdef" }, HttpStatusCode.NotFound);
        await session.FailsAsync(HttpMethod.Post, "logged-models", new { experiment_id = "999999", name = "m" }, HttpStatusCode.NotFound);
        await session.FailsAsync(HttpMethod.Patch, "logged-models/m-00000000000000000000000000000000", new { status = "LOGGED_MODEL_READY" }, HttpStatusCode.NotFound);
        await session.FailsAsync(HttpMethod.Patch, "logged-models/m-00000000000000000000000000000000/tags", new { tags = new[] { new { key = "k", value = "v" } } }, HttpStatusCode.NotFound);
        await session.FailsAsync(HttpMethod.Delete, "logged-models/m-00000000000000000000000000000000", null, HttpStatusCode.NotFound);
        await session.FailsAsync(HttpMethod.Put, Session.ArtifactRpc($"{file}/inner"), new ByteArrayContent([1, 2, 3]), HttpStatusCode.BadRequest);
        await session.FailsAsync(HttpMethod.Put, Session.ArtifactRpc($"{experimentId}/{runId}/artifacts/huge.bin"),
            new ByteArrayContent(new byte[RegistryAppFixture.MaxUploadBytes + 1]), HttpStatusCode.RequestEntityTooLarge);

        Assert.Equal(recorded.Select(e => (long)e["id"]!), (await SessionEventsAsync(project, maintainer.Token)).Select(e => (long)e["id"]!));
    }

    /// <summary>The project's events after the administrator's setup (the project and its memberships), oldest first.</summary>
    private async Task<List<JsonObject>> SessionEventsAsync(long project, TestToken reader)
    {
        var all = (await Admin.ListAsync($"projects/{project}/audit_events?per_page=100", reader)).Select(e => e!.AsObject()).Reverse().ToList();
        Assert.Equal(["project_created", "member_access_level_set", "member_access_level_set"], all[..3].Select(e => (string)e["event_name"]!));
        return all[3..];
    }

    private static void AssertChanges(string expected, JsonObject recorded) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), recorded["details"]!["changes"]), recorded.ToJsonString());

    /// <summary>A client of one project's MLflow API that notes the request id of every write expected to be audited.</summary>
    private sealed class Session(HttpClient http, long project, TestToken token)
    {
        public List<string> RequestIds { get; } = [];

        /// <summary>An artifact proxy path, relative to the MLflow API like an RPC.</summary>
        public static string ArtifactRpc(string path) => $"../mlflow-artifacts/artifacts/{path}";

        public async Task<JsonObject> OkAsync(HttpMethod method, string rpc, object? body)
        {
            var response = await SendAsync(method, rpc, body);
            RequestIds.Add(Assert.Single(response.Headers.GetValues("X-Request-Id")));
            return await response.ShouldBeOkAsync();
        }

        public async Task UnrecordedAsync(HttpMethod method, string rpc, object? body) => await (await SendAsync(method, rpc, body)).ShouldBeOkAsync();

        public async Task FailsAsync(HttpMethod method, string rpc, object? body, HttpStatusCode status) =>
            Assert.Equal(status, (await SendAsync(method, rpc, body)).StatusCode);

        private Task<HttpResponseMessage> SendAsync(HttpMethod method, string rpc, object? body) =>
            http.SendRawAsync(method, rpc.StartsWith("../", StringComparison.Ordinal)
                    ? $"/api/v4/projects/{project}/ml/mlflow/api/2.0/{rpc[3..]}"
                    : MlflowHttp.Path(project, rpc),
                body switch { null => null, HttpContent content => content, _ => JsonContent.Create(body) }, token);
    }
}
