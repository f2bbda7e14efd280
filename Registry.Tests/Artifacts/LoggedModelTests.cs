using Registry.Tests.Infrastructure;

namespace Registry.Tests.Artifacts;

[Collection(RegistryCollection.Name)]
public sealed class LoggedModelTests(RegistryAppFixture app)
{
    private readonly TrackingClient _tracking = new(app.Http, app.Tenants.ProjectId, app.Tenants.Developer);

    private async Task<JsonObject> CreateAsync(string experimentId, string name, string? runId = null) =>
        (await (await _tracking.PostAsync("logged-models", new
        {
            experiment_id = experimentId,
            name,
            source_run_id = runId,
            model_type = "Classifier",
            @params = new[] { new { key = "alpha", value = "0.5" } },
            tags = new[] { new { key = "mlflow.source.name", value = "train.py" } },
        })).ShouldBeOkAsync())["model"]!.AsObject();

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string rpc, object? body = null) =>
        app.Http.SendRawAsync(method, MlflowHttp.Path(app.Tenants.ProjectId, rpc), body is null ? null : JsonContent.Create(body), app.Tenants.Developer);

    [Fact]
    public async Task The_MLflow_3_log_model_sequence_works_and_the_model_can_be_registered_and_downloaded()
    {
        var experimentId = await _tracking.CreateExperimentAsync(MlflowHttp.UniqueName("mlflow3"));
        var runId = await _tracking.NewRunIdAsync(experimentId);

        // log_model: create the logged model, upload its files, finalize it, and record it as the run's output.
        var model = await CreateAsync(experimentId, "classifier", runId);
        var (modelId, artifactUri) = ((string)model["info"]!["model_id"]!, (string)model["info"]!["artifact_uri"]!);
        Assert.Matches("^m-[0-9a-f]{32}$", modelId);
        Assert.Equal($"mlflow-artifacts:/{experimentId}/models/{modelId}/artifacts", artifactUri);
        Assert.Equal("LOGGED_MODEL_PENDING", (string?)model["info"]!["status"]);
        Assert.Equal("""[{"key":"alpha","value":"0.5"}]""", model["data"]!["params"]!.ToJsonString());
        var artifactPath = artifactUri["mlflow-artifacts:/".Length..];
        await (await app.Http.SendRawAsync(HttpMethod.Put, $"/api/v4/projects/{app.Tenants.ProjectId}/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/{artifactPath}/MLmodel",
            new ByteArrayContent("flavors: {}"u8.ToArray()), app.Tenants.Developer)).ShouldBeOkAsync();
        var finalized = await (await SendAsync(HttpMethod.Patch, $"logged-models/{modelId}", new { status = "LOGGED_MODEL_READY" })).ShouldBeOkAsync();
        Assert.Equal("LOGGED_MODEL_READY", (string?)finalized["model"]!["info"]!["status"]);
        await (await _tracking.PostAsync("runs/outputs", new { run_id = runId, models = new[] { new { model_id = modelId, step = 0 } } })).ShouldBeOkAsync();

        var run = await _tracking.GetRunAsync(runId);
        Assert.Equal(modelId, (string?)run["outputs"]!["model_outputs"]![0]!["model_id"]);
        var files = await (await _tracking.GetAsync($"logged-models/{modelId}/artifacts/directories")).ShouldBeOkAsync();
        Assert.Equal("MLmodel", (string?)files["files"]![0]!["path"]);

        // register_model("models:/<model_id>", name), then load_model finds the files through the download URI.
        var name = MlflowHttp.UniqueName("registered");
        var versions = new ModelVersionClient(app.Http, app.Tenants.ProjectId, app.Tenants.Developer);
        await versions.Models.CreateAsync(name);
        var version = await versions.CreateAsync(name, $"models:/{modelId}", runId);
        Assert.Equal(modelId, (string?)version["model_id"]);
        var uri = (string)(await (await versions.GetQueryAsync($"model-versions/get-download-uri?name={name}&version=1")).ShouldBeOkAsync())["artifact_uri"]!;
        Assert.Equal(artifactUri, uri);
        var registered = await (await _tracking.GetAsync($"logged-models/{modelId}")).ShouldBeOkAsync();
        Assert.Equal($$"""[{"name":"{{name}}","version":"1"}]""", registered["model"]!["info"]!["registrations"]!.ToJsonString());
    }

    [Fact]
    public async Task Tags_params_search_and_soft_delete()
    {
        var experimentId = await _tracking.CreateExperimentAsync(MlflowHttp.UniqueName("lm"));
        var older = (string)(await CreateAsync(experimentId, "z-probe"))["info"]!["model_id"]!;
        await Task.Delay(5);
        var newer = (string)(await CreateAsync(experimentId, "a-probe"))["info"]!["model_id"]!;

        var tagged = await (await SendAsync(HttpMethod.Patch, $"logged-models/{older}/tags", new { tags = new[] { new { key = "owner", value = "ml" } } })).ShouldBeOkAsync();
        Assert.Contains("owner", tagged["model"]!["info"]!["tags"]!.ToJsonString());
        await (await SendAsync(HttpMethod.Delete, $"logged-models/{older}/tags/absent")).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        await (await _tracking.PostAsync($"logged-models/{older}/params", new { @params = new[] { new { key = "alpha", value = "0.5" } } })).ShouldBeOkAsync();
        await (await _tracking.PostAsync($"logged-models/{older}/params", new { @params = new[] { new { key = "alpha", value = "0.9" } } }))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");

        async Task<List<string>> SearchAsync(object body) =>
            [.. (await (await _tracking.PostAsync("logged-models/search", body)).ShouldBeOkAsync())["models"]!.AsArray().Select(m => (string)m!["info"]!["model_id"]!)];

        Assert.Equal([newer, older], await SearchAsync(new { experiment_ids = new[] { experimentId }, order_by = new[] { new { field_name = "creation_timestamp_ms", ascending = false } } }));
        Assert.Equal([newer, older], await SearchAsync(new { experiment_ids = new[] { experimentId }, order_by = new[] { new { field_name = "name", ascending = true } } }));
        Assert.Equal([older], await SearchAsync(new { experiment_ids = new[] { experimentId }, filter = "name LIKE 'z-%' AND tags.owner = 'ml'" }));
        Assert.Equal([older, newer], await SearchAsync(new { experiment_ids = new[] { experimentId }, filter = "params.alpha = '0.5'", order_by = new[] { new { field_name = "name", ascending = false } } }));

        await (await SendAsync(HttpMethod.Delete, $"logged-models/{older}")).ShouldBeOkAsync();
        await (await _tracking.GetAsync($"logged-models/{older}")).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        await (await _tracking.GetAsync($"logged-models/{older}?allow_deleted=true")).ShouldBeOkAsync();
        Assert.Equal([newer], await SearchAsync(new { experiment_ids = new[] { experimentId } }));
    }

    [Fact]
    public async Task Mistakes_and_other_projects_get_MLflow_errors()
    {
        var experimentId = await _tracking.CreateExperimentAsync(MlflowHttp.UniqueName("lm-errors"));
        var runId = await _tracking.NewRunIdAsync(experimentId);
        var modelId = (string)(await CreateAsync(experimentId, "m"))["info"]!["model_id"]!;

        await (await _tracking.GetAsync("logged-models/m-00000000000000000000000000000000")).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        await (await SendAsync(HttpMethod.Patch, $"logged-models/{modelId}", new { status = "DONE" })).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        await (await _tracking.PostAsync("logged-models", new { experiment_id = "999999", name = "x" })).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        await (await _tracking.PostAsync("logged-models/search", new { experiment_ids = new[] { experimentId }, filter = "flavor = 'x'" })).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        await (await _tracking.PostAsync("runs/outputs", new { run_id = runId, models = new object[] { new { model_id = modelId, step = 0 }, new { model_id = "m-missing", step = 0 } } }))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        Assert.Empty((await _tracking.GetRunAsync(runId))["outputs"]!["model_outputs"]!.AsArray());

        var theirs = new TrackingClient(app.Http, app.Tenants.OtherProjectId, app.Tenants.Outsider);
        await (await theirs.GetAsync($"logged-models/{modelId}")).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }
}
