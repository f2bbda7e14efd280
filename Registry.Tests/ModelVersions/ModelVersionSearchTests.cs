using Registry.Tests.Infrastructure;

namespace Registry.Tests.ModelVersions;

[Collection(RegistryCollection.Name)]
public sealed class ModelVersionSearchTests(RegistryAppFixture app)
{
    private readonly ModelVersionClient _versions = new(app.Http, app.Tenants.ProjectId, app.Tenants.Developer);
    private readonly string _prefix = $"v{Guid.NewGuid():N}"[..12];

    private const string RunA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string RunB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    private async Task SeedAsync()
    {
        foreach (var model in new[] { "one", "two" })
        {
            await _versions.Models.CreateAsync($"{_prefix}-{model}");
            await _versions.CreateAsync($"{_prefix}-{model}", $"s3://bucket/{model}/1", RunA, ("quality", "good"));
            await _versions.CreateAsync($"{_prefix}-{model}", $"s3://bucket/{model}/2", RunB);
            await _versions.CreateAsync($"{_prefix}-{model}", $"gs://other/{model}/3", null, ("quality", "bad"));
        }
    }

    [Theory]
    [InlineData("", "one/3,one/2,one/1,two/3,two/2,two/1")]
    [InlineData("version_number > 1", "one/3,one/2,two/3,two/2")]
    [InlineData("version_number = 2", "one/2,two/2")]
    [InlineData("version_number <= 1.0", "one/1,two/1")]
    [InlineData("run_id = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'", "one/1,two/1")]
    [InlineData("run_id IN ('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb')", "one/2,one/1,two/2,two/1")]
    [InlineData("source_path LIKE 's3://%'", "one/2,one/1,two/2,two/1")]
    [InlineData("source_path ILIKE 'GS://%'", "one/3,two/3")]
    [InlineData("tags.quality = 'good'", "one/1,two/1")]
    [InlineData("tags.quality != 'good'", "one/3,two/3")]
    [InlineData("name = '{P}-two' AND version_number >= 2", "two/3,two/2")]
    public async Task Filters_select_versions_as_MLflow_does(string filter, string expected)
    {
        await SeedAsync();
        var scoped = $"name LIKE '{_prefix}-%'" + (filter.Length > 0 ? $" AND {filter.Replace("{P}", _prefix)}" : "");

        var (versions, _) = await _versions.SearchAsync(scoped);

        Assert.Equal(expected.Split(',').Select(v => $"{_prefix}-{v}"), versions);
    }

    [Fact]
    public async Task Order_by_version_number_ascending_and_paging_visit_every_version_once()
    {
        await SeedAsync();
        var seen = new List<string>();
        string? token = null;
        do
        {
            var (versions, next) = await _versions.SearchAsync($"name LIKE '{_prefix}-%'", maxResults: 4, pageToken: token, orderBy: "version_number ASC");
            seen.AddRange(versions);
            token = next;
        }
        while (token is not null);

        Assert.Equal(["one/1", "two/1", "one/2", "two/2", "one/3", "two/3"], seen.Select(v => v[(_prefix.Length + 1)..]));
    }

    [Theory]
    [InlineData("filter=version_number%20%3D%20'two'", "version_number")]
    [InlineData("filter=run_id%20LIKE%20'a%25'", "run_id")]
    [InlineData("filter=stage%20%3D%20'None'", "stage")]
    [InlineData("max_results=200001", "max_results")]
    [InlineData("order_by=stage", "stage")]
    [InlineData("page_token=garbage", "page_token")]
    public async Task Invalid_searches_are_INVALID_PARAMETER_VALUE(string query, string mentioned)
    {
        var message = await (await _versions.GetQueryAsync($"model-versions/search?{query}")).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");

        Assert.Contains(mentioned, message);
    }
}
