using Npgsql;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.ModelVersions;

/// <summary>
/// What a model version's source may be: what MLflow's server refuses (local paths, relative-path tricks) and what would
/// make the MLflow client send the loading user's token to a stranger's host (issue 14 §2).
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class ModelSourceTests(RegistryAppFixture app)
{
    private readonly ModelVersionClient _versions = new(app.Http, app.Tenants.ProjectId, app.Tenants.Developer);

    private async Task<string> NewModelAsync()
    {
        var name = MlflowHttp.UniqueName("src");
        await _versions.Models.CreateAsync(name);
        return name;
    }

    public static TheoryData<string, string> Refused => new()
    {
        // Local to whoever loads the model (MLflow: "To use a local path as a model version source...").
        { "/tmp/model", "local path" },
        { "file:///etc/passwd", "local path" },
        { "file://localhost/etc", "local path" },
        { "relative/model", "local path" },
        { "C:/models/x", "local path" },
        // Relative paths, as written, percent-encoded once or twice, in any scheme and in the query string.
        { "s3://bucket/models/../../other", "absolute path" },
        { "mlflow-artifacts:/1/../2/artifacts/model", "absolute path" },
        { "s3://bucket/a/%2e%2e/b", "absolute path" },
        { "dbfs:/a/%252e%252e/b", "absolute path" },
        { "s3a://bucket/x/..%2F..%2Fy", "absolute path" },
        { "ftp://host/a?x=/../y", "absolute path" },
        { "s3://bucket/a/./b", "absolute path" },
        { "s3://bucket", "absolute path" },
        { "s3:bucket/x", "absolute path" },
        // NUL, raw (any text field refuses it) or encoded.
        { "s3://bucket/x%00", "absolute path" },
        { "s3://bucket/x\u0000y", "NUL" },
        // A host the client would send the loading user's token to.
        { "mlflow-artifacts://127.0.0.1:57999/x/model", "credentials" },
        { "mlflow-artifacts://evil.example.com/x", "credentials" },
        { "mlflow-artifacts:%2F%2Fevil.example.com/x", "credentials" },
        { "http://evil.example.com/model", "credentials" },
        { "https://evil.example.com/model", "credentials" },
        { "HTTPS://Evil.Example.com/model", "credentials" },
        { "https://user@evil.example.com/model", "credentials" },
        { "https://models.example.com.evil.example.com/model", "credentials" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_source_MLflow_refuses_or_that_would_leak_credentials_is_INVALID_PARAMETER_VALUE_and_creates_nothing(string source, string why)
    {
        var name = await NewModelAsync();

        var message = await (await _versions.CreateRawAsync(name, source)).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");

        Assert.Contains(why, message);
        Assert.StartsWith(why == "NUL" ? "Parameter 'source'" : "Invalid model version source: ", message);
        Assert.Empty((await _versions.SearchAsync($"name = '{name}'")).Versions);
    }

    [Fact]
    public async Task A_local_source_is_refused_in_MLflows_words_naming_model_id_when_a_logged_model_is_registered()
    {
        var name = await NewModelAsync();

        var withRun = await (await _versions.CreateRawAsync(name, "/tmp/model")).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        var withModel = await (await app.Http.PostJsonAsync(app.Tenants.ProjectId, "model-versions/create",
            new { name, source = "/tmp/model", model_id = "m-0123456789abcdef0123456789abcdef" }, app.Tenants.Developer))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");

        Assert.Equal("Invalid model version source: '/tmp/model'. To use a local path as a model version source, the run_id request parameter " +
            "has to be specified and the local path has to be contained within the artifact directory of the run specified by the run_id.", withRun);
        Assert.Contains("the model_id request parameter has to be specified", withModel);
    }

    [Theory]
    [InlineData("runs:/0123456789abcdef0123456789abcdef/model")]
    [InlineData("models:/some-model/1")]
    [InlineData("models:/m-0123456789abcdef0123456789abcdef")]
    [InlineData("mlflow-artifacts:/1/0123456789abcdef0123456789abcdef/artifacts/model")]
    [InlineData("s3://bucket/models/model")]
    [InlineData("s3://bucket/models//model/")]
    [InlineData("gs://bucket/models/model")]
    [InlineData("wasbs://container@account.blob.core.windows.net/models/model")]
    [InlineData("dbfs:/models/model")]
    [InlineData("hdfs://namenode:8020/models/model")]
    public async Task Sources_of_this_project_and_object_store_URIs_keep_working(string source)
    {
        var name = await NewModelAsync();

        Assert.Equal(source, (string?)(await _versions.CreateAsync(name, source))["source"]);
    }

    [Fact]
    public async Task A_prompt_version_keeps_MLflow_3s_placeholder_source_but_not_a_local_path()
    {
        var name = await NewModelAsync();
        var prompt = ("mlflow.prompt.is_prompt", "true");

        await _versions.CreateAsync(name, "prompt-template", null, prompt);
        var message = await (await _versions.CreateRawAsync(name, "/etc/passwd", null, prompt)).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        Assert.StartsWith("Invalid prompt source: '/etc/passwd'", message);
        await (await _versions.CreateRawAsync(name, "prompt-template")).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
    }

    [Fact]
    public async Task An_operator_can_allow_a_host_and_only_that_host()
    {
        await using var api = new InProcessApi(new Dictionary<string, string?>
        {
            ["ConnectionStrings:registrydb"] = app.ConnectionString,
            ["Registry:ModelSources:AllowedHosts:0"] = "models.example.com",
            ["Registry:ModelSources:AllowedHosts:1"] = "artifacts.example.com:8443",
            ["OTEL_SDK_DISABLED"] = "true",
        });
        var versions = new ModelVersionClient(api.CreateClient(), app.Tenants.ProjectId, app.Tenants.Developer);
        var name = MlflowHttp.UniqueName("allowed");
        await versions.Models.CreateAsync(name);

        await versions.CreateAsync(name, "https://models.example.com/m/1");
        await versions.CreateAsync(name, "mlflow-artifacts://MODELS.example.com:5000/m/1");
        await versions.CreateAsync(name, "mlflow-artifacts://artifacts.example.com:8443/m/1");
        await (await versions.CreateRawAsync(name, "mlflow-artifacts://artifacts.example.com:9000/m/1")).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        await (await versions.CreateRawAsync(name, "https://evil.example.com/m/1")).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        Assert.Equal("https://models.example.com/m/1",
            (string?)(await (await versions.GetQueryAsync($"model-versions/get-download-uri?name={name}&version=1")).ShouldBeOkAsync())["artifact_uri"]);
    }

    [Fact]
    public async Task Get_download_uri_never_hands_out_a_stored_source_that_would_send_credentials_off_site()
    {
        var name = await NewModelAsync();
        await _versions.CreateAsync(name, "s3://bucket/model");
        // A version registered before sources were checked.
        await using (var dataSource = NpgsqlDataSource.Create(app.ConnectionString))
        await using (var command = dataSource.CreateCommand(
            "UPDATE ml_model_versions v SET source = 'mlflow-artifacts://127.0.0.1:57999/x/model' FROM ml_models m WHERE m.id = v.model_id AND m.project_id = $1 AND m.name = $2"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = app.Tenants.ProjectId });
            command.Parameters.Add(new NpgsqlParameter { Value = name });
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        var message = await (await _versions.GetQueryAsync($"model-versions/get-download-uri?name={name}&version=1"))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        Assert.Contains("127.0.0.1:57999", message);
        // A copy of it does not launder it either.
        var copy = await NewModelAsync();
        await _versions.CreateAsync(copy, $"models:/{name}/1");
        await (await _versions.GetQueryAsync($"model-versions/get-download-uri?name={copy}&version=1"))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
    }
}
