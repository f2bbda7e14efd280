using Registry.Tests.Infrastructure;

namespace Registry.Tests.ModelVersions;

[Collection(RegistryCollection.Name)]
public sealed class StagesAndAliasesTests(RegistryAppFixture app)
{
    private readonly ModelVersionClient _versions = new(app.Http, app.Tenants.ProjectId, app.Tenants.Developer);

    private async Task<string> ModelWithVersionsAsync(int count)
    {
        var name = MlflowHttp.UniqueName("stages");
        await _versions.Models.CreateAsync(name);
        for (var i = 0; i < count; i++) await _versions.CreateAsync(name);
        return name;
    }

    [Theory]
    [InlineData("production", "Production")]
    [InlineData("STAGING", "Staging")]
    [InlineData("archived", "Archived")]
    [InlineData("none", "None")]
    public async Task Stages_are_case_insensitive_in_and_canonical_out(string requested, string canonical)
    {
        var name = await ModelWithVersionsAsync(1);

        var moved = await _versions.TransitionAsync(name, "1", requested);

        Assert.Equal(canonical, (string?)moved["current_stage"]);
        Assert.Equal(canonical, (string?)(await _versions.GetAsync(name, "1"))["current_stage"]);
    }

    [Fact]
    public async Task Archiving_existing_versions_moves_the_current_holders_of_that_stage_to_Archived()
    {
        var name = await ModelWithVersionsAsync(3);
        await _versions.TransitionAsync(name, "1", "Production");
        await _versions.TransitionAsync(name, "2", "Staging");

        await _versions.TransitionAsync(name, "3", "Production", archive: true);

        Assert.Equal("Archived", (string?)(await _versions.GetAsync(name, "1"))["current_stage"]);
        Assert.Equal("Staging", (string?)(await _versions.GetAsync(name, "2"))["current_stage"]);
        Assert.Equal("Production", (string?)(await _versions.GetAsync(name, "3"))["current_stage"]);
    }

    [Fact]
    public async Task Without_archiving_several_versions_share_a_stage()
    {
        var name = await ModelWithVersionsAsync(2);

        await _versions.TransitionAsync(name, "1", "Production");
        await _versions.TransitionAsync(name, "2", "Production");

        Assert.Equal("Production", (string?)(await _versions.GetAsync(name, "1"))["current_stage"]);
        Assert.Equal([("2", "Production")], await _versions.LatestAsync(name, "Production"));
    }

    [Fact]
    public async Task Concurrent_archiving_transitions_leave_exactly_one_version_in_Production()
    {
        var name = await ModelWithVersionsAsync(8);

        await Task.WhenAll(Enumerable.Range(1, 8).Select(async i =>
            await (await _versions.SendAsync(HttpMethod.Post, "model-versions/transition-stage",
                new { name, version = $"{i}", stage = "Production", archive_existing_versions = true })).ShouldBeOkAsync()));

        var (production, _) = await _versions.SearchAsync($"name = '{name}'");
        var stages = await Task.WhenAll(production.Select(async v => (string)(await _versions.GetAsync(name, v.Split('/')[1]))["current_stage"]!));
        Assert.Equal(1, stages.Count(s => s == "Production"));
        Assert.Equal(7, stages.Count(s => s == "Archived"));
    }

    [Theory]
    [InlineData("Limbo", true, "Limbo")]
    [InlineData("Archived", true, "active stage")]
    [InlineData("None", true, "active stage")]
    public async Task Invalid_transitions_are_INVALID_PARAMETER_VALUE(string stage, bool archive, string mentioned)
    {
        var name = await ModelWithVersionsAsync(1);

        var message = await (await _versions.SendAsync(HttpMethod.Post, "model-versions/transition-stage",
            new { name, version = "1", stage, archive_existing_versions = archive })).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");

        Assert.Contains(mentioned, message);
    }

    [Fact]
    public async Task The_archive_flag_is_required_as_in_MLflow()
    {
        var name = await ModelWithVersionsAsync(1);

        var message = await (await _versions.SendAsync(HttpMethod.Post, "model-versions/transition-stage", new { name, version = "1", stage = "Staging" }))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");

        Assert.Contains("archive_existing_versions", message);
    }

    [Fact]
    public async Task Latest_versions_are_the_highest_per_stage_over_POST_and_GET()
    {
        var name = await ModelWithVersionsAsync(5);
        await _versions.TransitionAsync(name, "1", "Production");
        await _versions.TransitionAsync(name, "2", "Production");
        await _versions.TransitionAsync(name, "3", "Staging");

        Assert.Equal([("2", "Production"), ("3", "Staging"), ("5", "None")], await _versions.LatestAsync(name));
        Assert.Equal([("2", "Production")], await _versions.LatestAsync(name, "production"));
        var viaGet = await (await _versions.GetQueryAsync($"registered-models/get-latest-versions?name={name}&stages=Staging&stages=None")).ShouldBeOkAsync();
        Assert.Equal(["3", "5"], viaGet["model_versions"]!.AsArray().Select(v => (string)v!["version"]!));
        Assert.Empty(await _versions.LatestAsync(name, "Archived"));
    }

    [Fact]
    public async Task Latest_versions_of_a_missing_model_is_RESOURCE_DOES_NOT_EXIST()
    {
        var response = await _versions.SendAsync(HttpMethod.Post, "registered-models/get-latest-versions", new { name = MlflowHttp.UniqueName("none") });

        await response.ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }

    [Fact]
    public async Task The_registered_model_carries_its_latest_versions_and_aliases()
    {
        var name = await ModelWithVersionsAsync(3);
        await _versions.TransitionAsync(name, "2", "Production");
        await (await _versions.SendAsync(HttpMethod.Post, "registered-models/alias", new { name, alias = "champion", version = "2" })).ShouldBeOkAsync();

        var model = await _versions.Models.GetAsync(name);

        Assert.Equal(["2", "3"], model["latest_versions"]!.AsArray().Select(v => (string)v!["version"]!));
        Assert.Equal(["Production", "None"], model["latest_versions"]!.AsArray().Select(v => (string)v!["current_stage"]!));
        Assert.Equal("""[{"alias":"champion","version":"2"}]""", model["aliases"]!.ToJsonString());
        var (searched, _) = await _versions.Models.SearchAsync($"name = '{name}'");
        Assert.Single(searched);
    }

    [Fact]
    public async Task A_registered_models_latest_versions_are_written_as_model_versions_get_writes_them()
    {
        var name = await ModelWithVersionsAsync(2);
        await _versions.TransitionAsync(name, "1", "Staging");
        await (await _versions.SendAsync(HttpMethod.Patch, "model-versions/update", new { name, version = "1", description = "a \"quoted\" line\nand ünïcode" })).ShouldBeOkAsync();
        await (await _versions.SendAsync(HttpMethod.Post, "registered-models/alias", new { name, alias = "champion", version = "2" })).ShouldBeOkAsync();

        var latest = (await _versions.Models.GetAsync(name))["latest_versions"]!.AsArray();

        Assert.Equal(2, latest.Count);
        foreach (var version in latest)
        {
            var got = await _versions.GetAsync(name, (string)version!["version"]!);
            Assert.True(JsonNode.DeepEquals(got, version), $"latest: {version.ToJsonString()}\nget:    {got.ToJsonString()}");
        }
        Assert.False(latest[1]!.AsObject().ContainsKey("description"));
    }

    [Fact]
    public async Task Aliases_are_set_read_moved_and_deleted()
    {
        var name = await ModelWithVersionsAsync(2);

        await (await _versions.SendAsync(HttpMethod.Post, "registered-models/alias", new { name, alias = "champion", version = "1" })).ShouldBeOkAsync();
        Assert.Equal("1", (string?)(await (await _versions.GetQueryAsync($"registered-models/alias?name={name}&alias=champion")).ShouldBeOkAsync())["model_version"]!["version"]);
        Assert.Equal("""["champion"]""", (await _versions.GetAsync(name, "1"))["aliases"]!.ToJsonString());

        await (await _versions.SendAsync(HttpMethod.Post, "registered-models/alias", new { name, alias = "champion", version = "2" })).ShouldBeOkAsync();
        Assert.Empty((await _versions.GetAsync(name, "1"))["aliases"]!.AsArray());
        Assert.Equal("""["champion"]""", (await _versions.GetAsync(name, "2"))["aliases"]!.ToJsonString());

        await (await _versions.SendAsync(HttpMethod.Delete, "registered-models/alias", new { name, alias = "champion" })).ShouldBeOkAsync();
        // MLflow's codes: an alias the model does not have is INVALID_PARAMETER_VALUE, a model that does not exist RESOURCE_DOES_NOT_EXIST.
        Assert.Equal("Registered model alias champion not found.", await (await _versions.GetQueryAsync($"registered-models/alias?name={name}&alias=champion"))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE"));
        await (await _versions.GetQueryAsync($"registered-models/alias?name={name}-absent&alias=champion")).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }

    [Fact]
    public async Task Deleting_a_version_deletes_the_aliases_that_point_at_it()
    {
        var name = await ModelWithVersionsAsync(1);
        await (await _versions.SendAsync(HttpMethod.Post, "registered-models/alias", new { name, alias = "prod", version = "1" })).ShouldBeOkAsync();

        await (await _versions.SendAsync(HttpMethod.Delete, "model-versions/delete", new { name, version = "1" })).ShouldBeOkAsync();

        await (await _versions.GetQueryAsync($"registered-models/alias?name={name}&alias=prod")).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        Assert.Empty((await _versions.Models.GetAsync(name))["aliases"]!.AsArray());
    }

    [Theory]
    [InlineData("latest")]
    [InlineData("LATEST")]
    [InlineData("v1")]
    [InlineData("V42")]
    [InlineData("has space")]
    [InlineData("dot.ted")]
    [InlineData("")]
    public async Task Reserved_or_malformed_aliases_are_INVALID_PARAMETER_VALUE(string alias)
    {
        var name = await ModelWithVersionsAsync(1);

        await (await _versions.SendAsync(HttpMethod.Post, "registered-models/alias", new { name, alias, version = "1" }))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
    }

    [Fact]
    public async Task Aliasing_a_missing_version_or_model_is_RESOURCE_DOES_NOT_EXIST()
    {
        var name = await ModelWithVersionsAsync(1);

        var missingVersion = await (await _versions.SendAsync(HttpMethod.Post, "registered-models/alias", new { name, alias = "a", version = "9" }))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        var missingModel = await (await _versions.SendAsync(HttpMethod.Post, "registered-models/alias", new { name = name + "x", alias = "a", version = "1" }))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");

        Assert.Contains("version=9", missingVersion);
        Assert.Contains("Registered Model", missingModel);
    }
}
