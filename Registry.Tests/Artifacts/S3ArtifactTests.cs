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
        Assert.Empty(uploads.MultipartUploads ?? []);
    }

    [Fact]
    public async Task Multipart_uploads_send_parts_straight_to_storage_and_assemble_on_complete()
    {
        var path = $"s3{Guid.NewGuid():N}/mpu.bin";
        var first = new byte[5 * 1024 * 1024];
        Random.Shared.NextBytes(first);
        byte[] second = [1, 2, 3];

        var created = await (await _http.SendRawAsync(HttpMethod.Post, Url(app.Tenants.ProjectId, $"mpu/create/{path}"),
            JsonContent.Create(new { path, num_parts = 2 }), app.Tenants.Developer)).ShouldBeOkAsync();
        var uploadId = (string)created["upload_id"]!;
        var etags = new List<object>();
        using var direct = new HttpClient();
        foreach (var (credential, bytes) in created["credentials"]!.AsArray().Zip([first, second]))
        {
            var put = await direct.PutAsync((string)credential!["url"]!, new ByteArrayContent(bytes));
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            etags.Add(new { part_number = (long)credential["part_number"]!, etag = put.Headers.ETag!.Tag });
        }
        await (await _http.SendRawAsync(HttpMethod.Post, Url(app.Tenants.ProjectId, $"mpu/complete/{path}"),
            JsonContent.Create(new { path, upload_id = uploadId, parts = etags }), app.Tenants.Developer)).ShouldBeOkAsync();

        var downloaded = await (await GetAsync(path)).Content.ReadAsByteArrayAsync();
        Assert.Equal(first.Concat(second), downloaded);
    }

    [Fact]
    public async Task An_aborted_multipart_upload_leaves_nothing()
    {
        var path = $"s3{Guid.NewGuid():N}/aborted.bin";
        var created = await (await _http.SendRawAsync(HttpMethod.Post, Url(app.Tenants.ProjectId, $"mpu/create/{path}"),
            JsonContent.Create(new { path, num_parts = 1 }), app.Tenants.Developer)).ShouldBeOkAsync();

        await (await _http.SendRawAsync(HttpMethod.Post, Url(app.Tenants.ProjectId, $"mpu/abort/{path}"),
            JsonContent.Create(new { path, upload_id = (string)created["upload_id"]! }), app.Tenants.Developer)).ShouldBeOkAsync();

        await (await GetAsync(path)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        using var s3 = moto.Client();
        Assert.DoesNotContain((await s3.ListMultipartUploadsAsync(MotoServer.Bucket)).MultipartUploads ?? [], u => u.Key.EndsWith(path, StringComparison.Ordinal));
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
