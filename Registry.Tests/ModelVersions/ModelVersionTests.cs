using Registry.Tests.Infrastructure;

namespace Registry.Tests.ModelVersions;

[Collection(RegistryCollection.Name)]
public sealed class ModelVersionTests(RegistryAppFixture app)
{
    private readonly ModelVersionClient _versions = new(app.Http, app.Tenants.ProjectId, app.Tenants.Developer);

    private async Task<string> NewModelAsync()
    {
        var name = MlflowHttp.UniqueName("mv");
        await _versions.Models.CreateAsync(name);
        return name;
    }

    [Fact]
    public async Task Create_numbers_versions_from_1_and_returns_them_READY_in_stage_None()
    {
        var name = await NewModelAsync();

        var first = await _versions.CreateAsync(name, "runs:/0123456789abcdef0123456789abcdef/model", "0123456789abcdef0123456789abcdef", ("k", "v"));
        var second = await _versions.CreateAsync(name);

        Assert.Equal("1", (string?)first["version"]);
        Assert.Equal("2", (string?)second["version"]);
        Assert.Equal("READY", (string?)first["status"]);
        Assert.Equal("None", (string?)first["current_stage"]);
        Assert.Equal("runs:/0123456789abcdef0123456789abcdef/model", (string?)first["source"]);
        Assert.Equal("0123456789abcdef0123456789abcdef", (string?)first["run_id"]);
        Assert.Equal("""[{"key":"k","value":"v"}]""", first["tags"]!.ToJsonString());
        Assert.Empty(first["aliases"]!.AsArray());
        Assert.Equal(JsonValueKind.Number, first["creation_timestamp"]!.GetValueKind());
        Assert.Equal(first.ToJsonString(), (await _versions.GetAsync(name, "1")).ToJsonString());
    }

    /// <summary>
    /// What the README says about retries: model-versions/create is not idempotent, as in MLflow. A client that repeats it
    /// (the MLflow client retries a 503 whose first attempt may have committed) gets another version.
    /// </summary>
    [Fact]
    public async Task The_same_create_sent_twice_makes_two_versions()
    {
        var name = await NewModelAsync();

        var first = await _versions.CreateAsync(name, "s3://bucket/model");
        var again = await _versions.CreateAsync(name, "s3://bucket/model");

        Assert.Equal(("1", "2"), ((string?)first["version"], (string?)again["version"]));
        Assert.Equal((string?)first["source"], (string?)again["source"]);
    }

    [Fact]
    public async Task Create_bumps_the_registered_models_last_updated_timestamp()
    {
        var name = MlflowHttp.UniqueName("bump");
        var model = await _versions.Models.CreateAsync(name);
        await Task.Delay(5);

        await _versions.CreateAsync(name);

        Assert.True((long)(await _versions.Models.GetAsync(name))["last_updated_timestamp"]! > (long)model["last_updated_timestamp"]!);
    }

    [Fact]
    public async Task Version_numbers_are_never_reused_after_a_delete()
    {
        var name = await NewModelAsync();
        for (var i = 0; i < 3; i++) await _versions.CreateAsync(name);

        await (await _versions.SendAsync(HttpMethod.Delete, "model-versions/delete", new { name, version = "3" })).ShouldBeOkAsync();

        Assert.Equal("4", (string?)(await _versions.CreateAsync(name))["version"]);
        await (await _versions.GetRawAsync(name, "3")).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }

    [Fact]
    public Task Thirty_two_concurrent_creates_yield_versions_1_to_32_without_errors() =>
        ConcurrencyScenarios.ThirtyTwoVersionCreatesNumberOneToThirtyTwoAsync(_ => app.Http, app.Tenants);

    [Fact]
    public async Task Update_changes_the_description()
    {
        var name = await NewModelAsync();
        await _versions.CreateAsync(name);

        var updated = (await (await _versions.SendAsync(HttpMethod.Patch, "model-versions/update", new { name, version = "1", description = "better" })).ShouldBeOkAsync())["model_version"]!;

        Assert.Equal("better", (string?)updated["description"]);
        Assert.Equal("better", (string?)(await _versions.GetAsync(name, "1"))["description"]);
    }

    [Fact]
    public async Task Tags_are_set_overwritten_and_deleted()
    {
        var name = await NewModelAsync();
        await _versions.CreateAsync(name);

        await (await _versions.SendAsync(HttpMethod.Post, "model-versions/set-tag", new { name, version = "1", key = "validated", value = "no" })).ShouldBeOkAsync();
        await (await _versions.SendAsync(HttpMethod.Post, "model-versions/set-tag", new { name, version = "1", key = "validated", value = "yes" })).ShouldBeOkAsync();
        Assert.Equal("""[{"key":"validated","value":"yes"}]""", (await _versions.GetAsync(name, "1"))["tags"]!.ToJsonString());

        await (await _versions.SendAsync(HttpMethod.Delete, "model-versions/delete-tag", new { name, version = "1", key = "validated" })).ShouldBeOkAsync();
        Assert.Empty((await _versions.GetAsync(name, "1"))["tags"]!.AsArray());
    }

    [Fact]
    public async Task Download_uri_is_the_registered_source()
    {
        var name = await NewModelAsync();
        await _versions.CreateAsync(name, "mlflow-artifacts:/7/run/artifacts/model");

        var body = await (await _versions.GetQueryAsync($"model-versions/get-download-uri?name={name}&version=1")).ShouldBeOkAsync();

        Assert.Equal("mlflow-artifacts:/7/run/artifacts/model", (string?)body["artifact_uri"]);
    }

    [Fact]
    public async Task Every_operation_on_a_missing_model_or_version_returns_RESOURCE_DOES_NOT_EXIST()
    {
        var name = await NewModelAsync();
        var missingModel = MlflowHttp.UniqueName("missing");

        await (await _versions.CreateRawAsync(missingModel, "s3://bucket/x")).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        await (await _versions.GetRawAsync(name, "1")).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        await (await _versions.SendAsync(HttpMethod.Patch, "model-versions/update", new { name, version = "1", description = "x" })).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        await (await _versions.SendAsync(HttpMethod.Delete, "model-versions/delete", new { name, version = "1" })).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        await (await _versions.SendAsync(HttpMethod.Post, "model-versions/set-tag", new { name, version = "1", key = "k", value = "v" })).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        await (await _versions.SendAsync(HttpMethod.Delete, "model-versions/delete-tag", new { name, version = "1", key = "k" })).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        await (await _versions.SendAsync(HttpMethod.Post, "model-versions/transition-stage", new { name, version = "1", stage = "Staging", archive_existing_versions = false })).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        await (await _versions.GetQueryAsync($"model-versions/get-download-uri?name={name}&version=1")).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("v1")]
    public async Task A_version_that_is_not_an_integer_is_INVALID_PARAMETER_VALUE_in_MLflows_words(string version)
    {
        var name = await NewModelAsync();
        await _versions.CreateAsync(name);

        var message = await (await _versions.GetRawAsync(name, version)).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");

        Assert.Equal($"Model version must be an integer, got '{version}'", message);
    }

    [Fact]
    public async Task A_missing_version_is_MLflows_missing_value_message()
    {
        var name = await NewModelAsync();

        var message = await (await _versions.GetQueryAsync($"model-versions/get?name={name}")).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");

        Assert.Equal("Missing value for required parameter 'version'. See the API docs for more information about request parameters.", message);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    public async Task An_integer_no_version_can_have_is_not_found_as_in_MLflow(string version)
    {
        var name = await NewModelAsync();
        await _versions.CreateAsync(name);

        var message = await (await _versions.GetRawAsync(name, version)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");

        Assert.Equal($"Model Version (name={name}, version={version}) not found", message);
    }

    [Theory]
    [InlineData("""{"name": "{NAME}"}""", "source")]
    [InlineData("""{"name": "{NAME}", "source": ""}""", "source")]
    [InlineData("""{"source": "s3://bucket/x"}""", "name")]
    [InlineData("""{"name": "{NAME}", "source": "s3://bucket/x", "tags": [{"key": "../k", "value": "v"}]}""", "../k")]
    [InlineData("""{"name": "{NAME}", "source": "s3://bucket/x", "version": 7, "run_id": 12}""", "run_id")]
    public async Task Invalid_creates_are_INVALID_PARAMETER_VALUE_and_create_nothing(string body, string mentioned)
    {
        var name = await NewModelAsync();

        var message = await (await app.Http.PostRawAsync(app.Tenants.ProjectId, "model-versions/create", body.Replace("{NAME}", name), app.Tenants.Developer))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");

        Assert.Contains(mentioned, message);
        Assert.Equal("1", (string?)(await _versions.CreateAsync(name))["version"]);
    }

    [Fact]
    public async Task Deleting_the_registered_model_deletes_its_versions()
    {
        var name = await NewModelAsync();
        await _versions.CreateAsync(name);
        await _versions.CreateAsync(name);

        await (await _versions.SendAsync(HttpMethod.Delete, "registered-models/delete", new { name })).ShouldBeOkAsync();
        await _versions.Models.CreateAsync(name);

        await (await _versions.GetRawAsync(name, "2")).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        Assert.Equal("1", (string?)(await _versions.CreateAsync(name))["version"]);
    }

    [Fact]
    public async Task Versions_are_invisible_from_another_project()
    {
        var name = await NewModelAsync();
        await _versions.CreateAsync(name);
        var outsider = new ModelVersionClient(app.Http, app.Tenants.OtherProjectId, app.Tenants.Outsider);

        await (await outsider.GetRawAsync(name, "1")).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        await (await outsider.CreateRawAsync(name, "s3://bucket/x")).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        Assert.Empty((await outsider.SearchAsync($"name = '{name}'")).Versions);
    }
}
