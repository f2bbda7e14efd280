using System.Net.Http.Headers;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Artifacts;

/// <summary>The same artifact endpoints with S3-compatible storage (moto on loopback) behind them.</summary>
[Collection(RegistryCollection.Name)]
public sealed class S3ArtifactTests(RegistryAppFixture app, MotoServer moto) : IClassFixture<MotoServer>, IAsyncLifetime
{
    private const long Limit = 20 * 1024 * 1024;

    private InProcessApi _api = null!;
    private HttpClient _http = null!;

    public Task InitializeAsync()
    {
        _api = new InProcessApi(new Dictionary<string, string?>
        {
            ["ConnectionStrings:registrydb"] = app.ConnectionString,
            ["Registry:Artifacts:Storage"] = "s3",
            ["Registry:Artifacts:MaxUploadBytes"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Registry:Artifacts:S3:Bucket"] = MotoServer.Bucket,
            ["Registry:Artifacts:S3:Prefix"] = "tests",
            ["Registry:Artifacts:S3:ServiceUrl"] = moto.ServiceUrl,
            ["Registry:Artifacts:S3:AccessKey"] = MotoServer.AccessKey,
            ["Registry:Artifacts:S3:SecretKey"] = MotoServer.SecretKey,
            ["OTEL_SDK_DISABLED"] = "true",
        });
        _http = _api.CreateClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _api.DisposeAsync();
    }

    private static string Url(long projectId, string rest) => $"/api/v4/projects/{projectId}/ml/mlflow/api/2.0/mlflow-artifacts/{rest}";

    private Task<HttpResponseMessage> PutAsync(string path, byte[] content, TestToken? token = null, long? project = null) =>
        _http.SendRawAsync(HttpMethod.Put, Url(project ?? app.Tenants.ProjectId, $"artifacts/{path}"), new ByteArrayContent(content), token ?? app.Tenants.Developer);

    private Task<HttpResponseMessage> GetAsync(string path, TestToken? token = null, long? project = null) =>
        _http.SendRawAsync(HttpMethod.Get, Url(project ?? app.Tenants.ProjectId, $"artifacts/{path}"), null, token ?? app.Tenants.Developer);

    private async Task<List<string>> ListAsync(string directory) =>
        [.. (await (await _http.SendRawAsync(HttpMethod.Get, Url(app.Tenants.ProjectId, $"artifacts?path={directory}"), null, app.Tenants.Developer)).ShouldBeOkAsync())["files"]!
            .AsArray().Select(f => (bool)f!["is_dir"]! ? $"{f["path"]}/" : $"{f["path"]}:{f["file_size"]}")];

    [Fact]
    public async Task Large_uploads_go_up_in_parts_and_come_back_byte_for_byte()
    {
        var root = $"s3{Guid.NewGuid():N}";
        var large = new byte[17 * 1024 * 1024];
        Random.Shared.NextBytes(large);

        await (await PutAsync($"{root}/model/weights.bin", large)).ShouldBeOkAsync();
        await (await PutAsync($"{root}/model/MLmodel", "flavors: {}"u8.ToArray())).ShouldBeOkAsync();

        Assert.Equal(large, await (await GetAsync($"{root}/model/weights.bin")).Content.ReadAsByteArrayAsync());
        Assert.Equal(["MLmodel:11", $"weights.bin:{large.Length}"], await ListAsync($"{root}/model"));
        Assert.Equal(["model/"], await ListAsync(root));
    }

    [Fact]
    public async Task A_missing_object_is_404_and_a_range_past_its_end_is_416_as_on_disk()
    {
        var path = $"s3{Guid.NewGuid():N}/file.bin";
        var missing = await (await GetAsync(path)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        Assert.Equal($"No artifact at '{path}'.", missing);

        await (await PutAsync(path, new byte[100])).ShouldBeOkAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, Url(app.Tenants.ProjectId, $"artifacts/{path}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", app.Tenants.Developer.Value);
        request.Headers.Range = new RangeHeaderValue(100, 199);
        var outside = await (await _http.SendAsync(request)).ShouldBeMlflowErrorAsync(HttpStatusCode.RequestedRangeNotSatisfiable, "INVALID_PARAMETER_VALUE");
        Assert.Equal("The requested range is outside the artifact's 100 bytes.", outside);
    }

    [Fact]
    public async Task Ranges_and_deletes_work_against_object_storage()
    {
        var root = $"s3{Guid.NewGuid():N}";
        await (await PutAsync($"{root}/a/b.bin", [.. Enumerable.Range(0, 100).Select(i => (byte)i)])).ShouldBeOkAsync();
        await (await PutAsync($"{root}/a/c.bin", [1])).ShouldBeOkAsync();

        using var request = new HttpRequestMessage(HttpMethod.Get, Url(app.Tenants.ProjectId, $"artifacts/{root}/a/b.bin"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", app.Tenants.Developer.Value);
        request.Headers.Range = new RangeHeaderValue(null, 5);
        var tail = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, tail.StatusCode);
        Assert.Equal(Enumerable.Range(95, 5).Select(i => (byte)i), await tail.Content.ReadAsByteArrayAsync());

        await (await _http.SendRawAsync(HttpMethod.Delete, Url(app.Tenants.ProjectId, $"artifacts/{root}/a"), null, app.Tenants.Developer)).ShouldBeOkAsync();
        Assert.Empty(await ListAsync($"{root}/a"));
        await (await GetAsync($"{root}/a/b.bin")).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }

    [Fact]
    public async Task An_upload_over_the_limit_is_413_and_leaves_no_object()
    {
        var path = $"s3{Guid.NewGuid():N}/too-big.bin";

        var response = await _http.SendRawAsync(HttpMethod.Put, Url(app.Tenants.ProjectId, $"artifacts/{path}"),
            new StreamContent(new MemoryStream(new byte[Limit + 1])), app.Tenants.Developer);

        await response.ShouldBeMlflowErrorAsync(HttpStatusCode.RequestEntityTooLarge, "INVALID_PARAMETER_VALUE");
        await (await GetAsync(path)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        using var s3 = moto.Client();
        var uploads = await s3.ListMultipartUploadsAsync(MotoServer.Bucket);
        Assert.DoesNotContain(uploads.MultipartUploads ?? [], u => u.Key.EndsWith(path, StringComparison.Ordinal));
    }

    /// <summary>As MLflow's client calls it: the URL names the directory, the body's path is the local file.</summary>
    private Task<HttpResponseMessage> MultipartAsync(string verb, string directory, object body) =>
        _http.SendRawAsync(HttpMethod.Post, Url(app.Tenants.ProjectId, $"mpu/{verb}/{directory}"), JsonContent.Create(body), app.Tenants.Developer);

    [Fact]
    public async Task Multipart_uploads_send_parts_straight_to_storage_and_assemble_on_complete()
    {
        var directory = $"s3{Guid.NewGuid():N}/large";
        const string localFile = "/home/me/work/mpu.bin";
        var first = new byte[5 * 1024 * 1024];
        Random.Shared.NextBytes(first);
        byte[] second = [1, 2, 3];

        var created = await (await MultipartAsync("create", directory, new { path = localFile, num_parts = 2 })).ShouldBeOkAsync();
        var uploadId = (string)created["upload_id"]!;
        var etags = new List<object>();
        using var direct = new HttpClient();
        foreach (var (credential, bytes) in created["credentials"]!.AsArray().Zip([first, second]))
        {
            var put = await direct.PutAsync((string)credential!["url"]!, new ByteArrayContent(bytes));
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            etags.Add(new { part_number = (long)credential["part_number"]!, etag = put.Headers.ETag!.Tag });
        }
        await (await MultipartAsync("complete", directory, new { path = localFile, upload_id = uploadId, parts = etags })).ShouldBeOkAsync();

        var downloaded = await (await GetAsync($"{directory}/mpu.bin")).Content.ReadAsByteArrayAsync();
        Assert.Equal(first.Concat(second), downloaded);
        Assert.Equal([$"mpu.bin:{first.Length + second.Length}"], await ListAsync(directory));
    }

    [Fact]
    public async Task An_aborted_multipart_upload_leaves_nothing()
    {
        var directory = $"s3{Guid.NewGuid():N}";
        var created = await (await MultipartAsync("create", directory, new { path = "aborted.bin", num_parts = 1 })).ShouldBeOkAsync();

        await (await MultipartAsync("abort", directory, new { path = "aborted.bin", upload_id = (string)created["upload_id"]! })).ShouldBeOkAsync();

        await (await GetAsync($"{directory}/aborted.bin")).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        Assert.Empty(await ListAsync(directory));
        using var s3 = moto.Client();
        Assert.DoesNotContain((await s3.ListMultipartUploadsAsync(MotoServer.Bucket)).MultipartUploads ?? [], u => u.Key.Contains(directory, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("C:\\Users\\me\\weights.bin", "weights.bin")]
    [InlineData("relative/dir/weights.bin", "weights.bin")]
    [InlineData("weights.bin", "weights.bin")]
    public async Task The_uploaded_file_keeps_the_base_name_of_the_clients_path(string localFile, string expected)
    {
        var directory = $"s3{Guid.NewGuid():N}/d";
        var created = await (await MultipartAsync("create", directory, new { path = localFile, num_parts = 1 })).ShouldBeOkAsync();
        using var direct = new HttpClient();
        var put = await direct.PutAsync((string)created["credentials"]![0]!["url"]!, new ByteArrayContent([9]));

        await (await MultipartAsync("complete", directory, new { path = localFile, upload_id = (string)created["upload_id"]!,
            parts = new[] { new { part_number = 1, etag = put.Headers.ETag!.Tag } } })).ShouldBeOkAsync();

        Assert.Equal([$"{expected}:1"], await ListAsync(directory));
    }

    [Theory]
    [InlineData("create", """{"num_parts": 1}""", "path")]
    [InlineData("create", """{"path": "/tmp/dir/", "num_parts": 1}""", "file name")]
    [InlineData("create", """{"path": "/tmp/..", "num_parts": 1}""", "file name")]
    [InlineData("complete", """{"path": "..", "upload_id": "u", "parts": []}""", "file name")]
    [InlineData("abort", """{"path": "C:\\tmp\\.", "upload_id": "u"}""", "file name")]
    [InlineData("abort", """{"path": "x\u0001.bin", "upload_id": "u"}""", "control")]
    public async Task A_multipart_path_that_names_no_file_is_INVALID_PARAMETER_VALUE(string verb, string body, string mentioned)
    {
        var response = await _http.SendRawAsync(HttpMethod.Post, Url(app.Tenants.ProjectId, $"mpu/{verb}/s3{Guid.NewGuid():N}"),
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"), app.Tenants.Developer);

        Assert.Contains(mentioned, await response.ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE"));
    }

    [Fact]
    public async Task Projects_never_share_objects()
    {
        var path = $"s3{Guid.NewGuid():N}/secret.bin";
        await (await PutAsync(path, [7])).ShouldBeOkAsync();

        await (await GetAsync(path, app.Tenants.Outsider, app.Tenants.OtherProjectId)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        using var s3 = moto.Client();
        var listed = await s3.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = MotoServer.Bucket, Prefix = $"tests/projects/{app.Tenants.ProjectId}/{path}" });
        Assert.Single(listed.S3Objects ?? []);
    }
}
