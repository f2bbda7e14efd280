using Registry.Tests.Infrastructure;

namespace Registry.Tests.ModelVersions;

/// <summary>Where get-download-uri sends the client for copied versions and MLflow 3 logged models (issue 15 §2, §3).</summary>
[Collection(RegistryCollection.Name)]
public sealed class DownloadUriTests(RegistryAppFixture app)
{
    private readonly ModelVersionClient _versions = new(app.Http, app.Tenants.ProjectId, app.Tenants.Developer);
    private readonly TrackingClient _tracking = new(app.Http, app.Tenants.ProjectId, app.Tenants.Developer);

    private async Task<string> NewModelAsync(string prefix)
    {
        var name = MlflowHttp.UniqueName(prefix);
        await _versions.Models.CreateAsync(name);
        return name;
    }

    private async Task<string> DownloadUriAsync(string name, string version) =>
        (string)(await (await _versions.GetQueryAsync($"model-versions/get-download-uri?name={name}&version={version}")).ShouldBeOkAsync())["artifact_uri"]!;

    [Fact]
    public async Task A_copied_version_resolves_to_the_storage_location_of_the_version_it_copies_through_every_copy()
    {
        var experimentId = await _tracking.CreateExperimentAsync(MlflowHttp.UniqueName("copy"));
        var runId = await _tracking.NewRunIdAsync(experimentId);
        var original = await NewModelAsync("original");
        await _versions.CreateAsync(original, "s3://bucket/unrelated");
        await _versions.CreateAsync(original, $"runs:/{runId}/model", runId);
        var copy = await NewModelAsync("copy");
        var copyOfCopy = await NewModelAsync("copy-of-copy");

        // What MlflowClient.copy_model_version sends: the source version as models:/<name>/<version>.
        var copied = await _versions.CreateAsync(copy, $"models:/{original}/2", runId);
        await _versions.CreateAsync(copyOfCopy, $"models:/{copy}/1");

        Assert.Equal($"models:/{original}/2", (string?)copied["source"]);
        var expected = $"mlflow-artifacts:/{experimentId}/{runId}/artifacts/model";
        Assert.Equal(expected, await DownloadUriAsync(original, "2"));
        Assert.Equal(expected, await DownloadUriAsync(copy, "1"));
        Assert.Equal(expected, await DownloadUriAsync(copyOfCopy, "1"));
    }

    [Fact]
    public async Task A_copy_of_an_object_store_version_resolves_to_that_URI()
    {
        var original = await NewModelAsync("s3-original");
        await _versions.CreateAsync(original, "s3://bucket/models/weights");
        var copy = await NewModelAsync("s3-copy");
        await _versions.CreateAsync(copy, $"models:/{original}/1");

        Assert.Equal("s3://bucket/models/weights", await DownloadUriAsync(copy, "1"));
    }

    [Fact]
    public async Task A_chain_of_copies_that_returns_to_itself_ends_with_an_error_instead_of_looping()
    {
        var a = await NewModelAsync("loop-a");
        var b = await NewModelAsync("loop-b");
        await _versions.CreateAsync(a, $"models:/{b}/1");
        await _versions.CreateAsync(b, $"models:/{a}/1");

        var message = await (await _versions.GetQueryAsync($"model-versions/get-download-uri?name={a}&version=1"))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        Assert.StartsWith("Unable to fetch model from model URI source artifact location", message);
    }

    [Fact]
    public async Task A_version_of_a_logged_model_without_run_id_takes_the_logged_models_source_run()
    {
        var experimentId = await _tracking.CreateExperimentAsync(MlflowHttp.UniqueName("lm-run"));
        var runId = await _tracking.NewRunIdAsync(experimentId);
        var logged = (await (await _tracking.PostAsync("logged-models", new { experiment_id = experimentId, name = "clf", source_run_id = runId }))
            .ShouldBeOkAsync())["model"]!["info"]!;
        var modelId = (string)logged["model_id"]!;
        var name = await NewModelAsync("lm-version");

        var version = await _versions.CreateAsync(name, $"models:/{modelId}");

        Assert.Equal(runId, (string?)version["run_id"]);
        Assert.Equal(runId, (string?)(await _versions.GetAsync(name, "1"))["run_id"]);
        Assert.Equal((string)logged["artifact_uri"]!, await DownloadUriAsync(name, "1"));
        // A run_id the client sends wins, as in MLflow.
        var otherRun = await _tracking.NewRunIdAsync(experimentId);
        Assert.Equal(otherRun, (string?)(await _versions.CreateAsync(name, $"models:/{modelId}", otherRun))["run_id"]);
    }
}
