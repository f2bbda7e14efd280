using System.Net.Http.Headers;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Artifacts;

[Collection(RegistryCollection.Name)]
public sealed class ArtifactTests(RegistryAppFixture app)
{
    private static string ArtifactsPath(long projectId, string rest) => $"/api/v4/projects/{projectId}/ml/mlflow/api/2.0/mlflow-artifacts/{rest}";

    private Task<HttpResponseMessage> PutAsync(string path, byte[] content, TestToken? token = null, long? projectId = null) =>
        app.Http.SendRawAsync(HttpMethod.Put, ArtifactsPath(projectId ?? app.Tenants.ProjectId, $"artifacts/{path}"), new ByteArrayContent(content), token ?? app.Tenants.Developer);

    private Task<HttpResponseMessage> GetAsync(string path, TestToken? token = null, long? projectId = null) =>
        app.Http.SendRawAsync(HttpMethod.Get, ArtifactsPath(projectId ?? app.Tenants.ProjectId, $"artifacts/{path}"), null, token ?? app.Tenants.Developer);

    private async Task<List<string>> ListAsync(string directory)
    {
        var body = await (await app.Http.SendRawAsync(HttpMethod.Get, ArtifactsPath(app.Tenants.ProjectId, $"artifacts?path={Uri.EscapeDataString(directory)}"), null, app.Tenants.Developer)).ShouldBeOkAsync();
        return [.. body["files"]!.AsArray().Select(f => (bool)f!["is_dir"]! ? $"{f["path"]}/" : $"{f["path"]}:{f["file_size"]}")];
    }

    private static string Root() => $"t{Guid.NewGuid():N}";

    [Fact]
    public async Task Uploads_come_back_byte_for_byte_as_attachments_that_are_not_sniffed()
    {
        var content = new byte[1_500_000];
        Random.Shared.NextBytes(content);
        var path = $"{Root()}/run/artifacts/data/blob.json";

        await (await PutAsync(path, content)).ShouldBeOkAsync();
        var download = await GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(content, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/json", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment; filename=\"blob.json\"; filename*=UTF-8''blob.json", download.Content.Headers.GetValues("Content-Disposition").Single());
        Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Theory]
    [InlineData("c.png", "attachment; filename=\"c.png\"; filename*=UTF-8''c.png")]
    [InlineData("café \"menu\".txt", "attachment; filename=\"caf_ _menu_.txt\"; filename*=UTF-8''caf%C3%A9%20%22menu%22.txt")]
    public async Task Downloads_name_the_file_plainly_in_ASCII_and_exactly_in_UTF8(string name, string expected)
    {
        var path = $"{Root()}/{name}";
        await (await PutAsync(Uri.EscapeDataString(path).Replace("%2F", "/", StringComparison.Ordinal), [1])).ShouldBeOkAsync();

        var download = await GetAsync(Uri.EscapeDataString(path).Replace("%2F", "/", StringComparison.Ordinal));

        Assert.Equal(expected, download.Content.Headers.GetValues("Content-Disposition").Single());
    }

    [Fact]
    public async Task Range_requests_return_the_asked_for_bytes()
    {
        var path = $"{Root()}/file.bin";
        await (await PutAsync(path, [.. Enumerable.Range(0, 100).Select(i => (byte)i)])).ShouldBeOkAsync();

        using var request = new HttpRequestMessage(HttpMethod.Get, ArtifactsPath(app.Tenants.ProjectId, $"artifacts/{path}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", app.Tenants.Developer.Value);
        request.Headers.Range = new RangeHeaderValue(10, 19);
        var response = await app.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(Enumerable.Range(10, 10).Select(i => (byte)i), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_missing_artifact_is_404_and_a_range_past_its_end_is_416_both_naming_what_was_asked()
    {
        var path = $"{Root()}/file.bin";
        var missing = await (await GetAsync(path)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        Assert.Equal($"No artifact at '{path}'.", missing);

        await (await PutAsync(path, new byte[100])).ShouldBeOkAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, ArtifactsPath(app.Tenants.ProjectId, $"artifacts/{path}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", app.Tenants.Developer.Value);
        request.Headers.Range = new RangeHeaderValue(100, 199);
        var outside = await (await app.Http.SendAsync(request)).ShouldBeMlflowErrorAsync(HttpStatusCode.RequestedRangeNotSatisfiable, "INVALID_PARAMETER_VALUE");
        Assert.Equal("The requested range is outside the artifact's 100 bytes.", outside);
    }

    [Fact]
    public async Task Listing_a_directory_while_others_write_and_delete_in_it_never_fails()
    {
        // ~1,400 requests: enough to hit the races every run, well within one token's rate limit.
        var root = Root();
        var churn = Enumerable.Range(0, 4).Select(writer => Task.Run(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                await (await PutAsync($"{root}/dir/f{writer}-{i % 8}", [1, 2, 3])).ShouldBeOkAsync();
                var delete = i % 4 == 0 ? $"{root}/dir" : $"{root}/dir/f{writer}-{(i + 3) % 8}";
                await (await app.Http.SendRawAsync(HttpMethod.Delete, ArtifactsPath(app.Tenants.ProjectId, $"artifacts/{delete}"), null, app.Tenants.Developer)).ShouldBeOkAsync();
            }
        }));
        var lists = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 150; i++)
            {
                Assert.All(await ListAsync($"{root}/dir"), entry => Assert.StartsWith("f", entry));
            }
        }));

        await Task.WhenAll([.. churn, .. lists]);
    }

    [Fact]
    public async Task Listing_a_name_longer_than_the_file_system_holds_is_an_empty_directory()
    {
        Assert.Empty(await ListAsync($"{Root()}/{new string('a', 2000)}"));
    }

    [Fact]
    public async Task Listing_shows_one_level_with_sizes_and_deletes_remove_files_and_directories()
    {
        var root = Root();
        await (await PutAsync($"{root}/a/b/c.txt", [1, 2, 3])).ShouldBeOkAsync();
        await (await PutAsync($"{root}/a/d.txt", [1])).ShouldBeOkAsync();
        await (await PutAsync($"{root}/a/d.txt", [1, 2])).ShouldBeOkAsync();

        Assert.Equal(["b/", "d.txt:2"], await ListAsync($"{root}/a"));
        Assert.Equal(["a/"], await ListAsync(root));
        Assert.Empty(await ListAsync($"{root}/nothing-here"));

        await (await app.Http.SendRawAsync(HttpMethod.Delete, ArtifactsPath(app.Tenants.ProjectId, $"artifacts/{root}/a/b"), null, app.Tenants.Developer)).ShouldBeOkAsync();
        Assert.Equal(["d.txt:2"], await ListAsync($"{root}/a"));
        await (await GetAsync($"{root}/a/b/c.txt")).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }

    [Theory]
    [InlineData("artifacts?path=..")]
    [InlineData("artifacts?path=/etc")]
    [InlineData("artifacts?path=a/../../..")]
    [InlineData("artifacts?path=a%5C..%5C..")]
    [InlineData("artifacts/a%5Cb")]
    [InlineData("artifacts?path=a%00b")]
    public async Task Paths_that_leave_the_project_or_smuggle_characters_are_refused(string rest)
    {
        var response = await app.Http.SendRawAsync(HttpMethod.Get, ArtifactsPath(app.Tenants.ProjectId, rest), null, app.Tenants.Developer);

        await response.ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
    }

    [Fact]
    public async Task A_NUL_in_the_URL_path_is_refused_by_the_server_before_any_handler()
    {
        // Kestrel rejects it while parsing the request line, so there is no MLflow body to give, only the 400.
        var response = await app.Http.SendRawAsync(HttpMethod.Get, ArtifactsPath(app.Tenants.ProjectId, "artifacts/a%00b"), null, app.Tenants.Developer);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("%2e%2e/%2e%2e/%2e%2e/escape.txt")]
    [InlineData("x/%2e%2e/%2e%2e/escape.txt")]
    public async Task Encoded_dot_segments_never_write_outside_the_project(string path)
    {
        var response = await PutAsync(path, [1]);

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{response.StatusCode}");
    }

    [Fact]
    public async Task Uploads_over_the_limit_are_413_and_store_nothing()
    {
        var path = $"{Root()}/big.bin";

        var response = await PutAsync(path, new byte[RegistryAppFixture.MaxUploadBytes + 1]);

        await response.ShouldBeMlflowErrorAsync(HttpStatusCode.RequestEntityTooLarge, "INVALID_PARAMETER_VALUE");
        await (await GetAsync(path)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }

    [Fact]
    public async Task File_storage_declines_multipart_uploads_as_MLflows_server_does()
    {
        var response = await app.Http.SendRawAsync(HttpMethod.Post, ArtifactsPath(app.Tenants.ProjectId, "mpu/create/x/big.bin"),
            JsonContent.Create(new { path = "x/big.bin", num_parts = 3 }), app.Tenants.Developer);

        var message = await response.ShouldBeMlflowErrorAsync(HttpStatusCode.NotImplemented, "NOT_IMPLEMENTED");
        // The client falls back to a plain upload only when the message starts with MLflow's own text.
        Assert.StartsWith("Multipart upload is not supported for the current artifact repository", message);
    }

    [Fact]
    public async Task Projects_never_share_artifacts_and_read_api_tokens_only_read()
    {
        var path = $"{Root()}/secret.txt";
        await (await PutAsync(path, [42])).ShouldBeOkAsync();

        await (await GetAsync(path, app.Tenants.Outsider, app.Tenants.OtherProjectId)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        await (await GetAsync(path, app.Tenants.Outsider)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        Assert.Equal([42], await (await GetAsync(path, app.Tenants.DeveloperReadApi)).Content.ReadAsByteArrayAsync());
        await (await PutAsync(path, [1], app.Tenants.DeveloperReadApi)).ShouldBeMlflowErrorAsync(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
    }

    [Fact]
    public async Task The_MLflow_2_log_model_then_register_then_load_sequence_works_over_HTTP()
    {
        var tracking = new TrackingClient(app.Http, app.Tenants.ProjectId, app.Tenants.Developer);
        var versions = new ModelVersionClient(app.Http, app.Tenants.ProjectId, app.Tenants.Developer);
        var run = await tracking.CreateRunAsync(await tracking.CreateExperimentAsync(MlflowHttp.UniqueName("logmodel")));
        var (runId, artifactUri) = ((string)run["info"]!["run_id"]!, (string)run["info"]!["artifact_uri"]!);
        var runRoot = artifactUri["mlflow-artifacts:/".Length..];
        var mlmodel = "artifact_path: model\nflavors:\n  sklearn: {}\n"u8.ToArray();

        // log_model: upload the model directory under the run's artifact URI, then record it on the run.
        await (await PutAsync($"{runRoot}/model/MLmodel", mlmodel)).ShouldBeOkAsync();
        await (await PutAsync($"{runRoot}/model/model.pkl", [1, 2, 3, 4])).ShouldBeOkAsync();
        await (await tracking.PostAsync("runs/log-model", new { run_id = runId, model_json = """{"artifact_path": "model", "flavors": {"sklearn": {}}}""" })).ShouldBeOkAsync();
        var listed = await (await tracking.GetAsync($"artifacts/list?run_id={runId}&path=model")).ShouldBeOkAsync();
        Assert.Equal(artifactUri, (string?)listed["root_uri"]);
        Assert.Equal(["model/MLmodel", "model/model.pkl"], listed["files"]!.AsArray().Select(f => (string)f!["path"]!));

        // register_model("runs:/<id>/model", name)
        var name = MlflowHttp.UniqueName("logged");
        await versions.Models.CreateAsync(name);
        await versions.CreateAsync(name, $"runs:/{runId}/model", runId);

        // load_model("models:/name/1"): the download URI, then the files behind it.
        var uri = (string)(await (await versions.GetQueryAsync($"model-versions/get-download-uri?name={name}&version=1")).ShouldBeOkAsync())["artifact_uri"]!;
        Assert.Equal($"{artifactUri}/model", uri);
        var modelPath = uri["mlflow-artifacts:/".Length..];
        Assert.Equal(["MLmodel:" + mlmodel.Length, "model.pkl:4"], await ListAsync(modelPath));
        Assert.Equal(mlmodel, await (await GetAsync($"{modelPath}/MLmodel")).Content.ReadAsByteArrayAsync());
    }
}
