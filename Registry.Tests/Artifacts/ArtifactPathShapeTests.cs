using Registry.Tests.Infrastructure;

namespace Registry.Tests.Artifacts;

/// <summary>
/// Paths no store can hold are 400 INVALID_PARAMETER_VALUE, never a 500, on the file store and S3 alike
/// (issue 14 §4): a file under a file, a file over a directory, a name longer than a file system takes.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class ArtifactPathShapeTests(RegistryAppFixture app, MotoServer moto) : IClassFixture<MotoServer>, IAsyncLifetime
{
    private InProcessApi _s3Api = null!;

    public Task InitializeAsync()
    {
        _s3Api = new InProcessApi(new Dictionary<string, string?>
        {
            ["ConnectionStrings:registrydb"] = app.ConnectionString,
            ["Registry:Artifacts:Storage"] = "s3",
            ["Registry:Artifacts:S3:Bucket"] = MotoServer.Bucket,
            ["Registry:Artifacts:S3:Prefix"] = "shapes",
            ["Registry:Artifacts:S3:ServiceUrl"] = moto.ServiceUrl,
            ["Registry:Artifacts:S3:AccessKey"] = MotoServer.AccessKey,
            ["Registry:Artifacts:S3:SecretKey"] = MotoServer.SecretKey,
            ["OTEL_SDK_DISABLED"] = "true",
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _s3Api.DisposeAsync();

    private HttpClient Store(string store) => store == "s3" ? _s3Api.CreateClient() : app.Http;

    private Task<HttpResponseMessage> PutAsync(HttpClient http, string path, string content) =>
        http.SendRawAsync(HttpMethod.Put, $"/api/v4/projects/{app.Tenants.ProjectId}/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/{path}",
            new StringContent(content), app.Tenants.Developer);

    private async Task<string> GetAsync(HttpClient http, string path) =>
        await (await http.SendRawAsync(HttpMethod.Get, $"/api/v4/projects/{app.Tenants.ProjectId}/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/{path}",
            null, app.Tenants.Developer)).Content.ReadAsStringAsync();

    [Theory]
    [InlineData("file")]
    [InlineData("s3")]
    public async Task A_file_under_a_file_is_INVALID_PARAMETER_VALUE_and_the_file_stays(string store)
    {
        var http = Store(store);
        var root = $"shape{Guid.NewGuid():N}";
        await (await PutAsync(http, $"{root}/d/f", "the file")).ShouldBeOkAsync();

        var message = await (await PutAsync(http, $"{root}/d/f/child", "x")).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        await (await PutAsync(http, $"{root}/d/f/deeper/child", "x")).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");

        Assert.Contains($"'{root}/d/f' is an artifact file", message);
        Assert.Equal("the file", await GetAsync(http, $"{root}/d/f"));
    }

    [Theory]
    [InlineData("file")]
    [InlineData("s3")]
    public async Task A_file_over_a_directory_is_INVALID_PARAMETER_VALUE(string store)
    {
        var http = Store(store);
        var root = $"shape{Guid.NewGuid():N}";
        await (await PutAsync(http, $"{root}/d/f", "inside")).ShouldBeOkAsync();

        var message = await (await PutAsync(http, $"{root}/d", "x")).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");

        Assert.Contains("is a directory", message);
        Assert.Equal("inside", await GetAsync(http, $"{root}/d/f"));
    }

    [Theory]
    [InlineData("file")]
    [InlineData("s3")]
    public async Task A_name_over_255_bytes_is_INVALID_PARAMETER_VALUE_and_255_is_fine(string store)
    {
        var http = Store(store);
        var root = $"shape{Guid.NewGuid():N}";

        var message = await (await PutAsync(http, $"{root}/{new string('n', 256)}", "x")).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        // 128 two-byte characters: 256 bytes.
        await (await PutAsync(http, $"{root}/{Uri.EscapeDataString(new string('ü', 128))}/f", "x")).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        await (await PutAsync(http, $"{root}/{new string('n', 255)}", "fits")).ShouldBeOkAsync();

        Assert.Contains("255 bytes", message);
        Assert.Equal("fits", await GetAsync(http, $"{root}/{new string('n', 255)}"));
    }
}
