using Npgsql;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.RegisteredModels;

[Collection(RegistryCollection.Name)]
public sealed class SearchTests(RegistryAppFixture app)
{
    private readonly RegisteredModelClient _models = new(app.Http, app.Tenants.ProjectId, app.Tenants.Developer);

    /// <summary>Every test works under its own name prefix, so models made by other tests never show up.</summary>
    private readonly string _prefix = $"s{Guid.NewGuid():N}"[..12];

    private string Scope => $"name LIKE '{_prefix}%'";

    private async Task SeedAsync()
    {
        await _models.CreateAsync($"{_prefix}-alpha", tags: [("team", "ml"), ("stage", "prod"), ("my key", "spaced")]);
        await _models.CreateAsync($"{_prefix}-beta", tags: [("team", "ML-Ops"), ("stage", "dev")]);
        await _models.CreateAsync($"{_prefix}-gamma", tags: [("team", "data")]);
        await _models.CreateAsync($"{_prefix}-Delta");
    }

    [Theory]
    [InlineData("name = '{P}-alpha'", "alpha")]
    [InlineData("name != '{P}-alpha'", "Delta,beta,gamma")]
    [InlineData("name LIKE '{P}-%a'", "Delta,alpha,beta,gamma")]
    [InlineData("name LIKE '{P}-d%'", "")]
    [InlineData("name ILIKE '{P}-d%'", "Delta")]
    [InlineData("name like \"{P}-_eta\"", "beta")]
    [InlineData("attributes.name = '{P}-gamma'", "gamma")]
    [InlineData("tags.team = 'ml'", "alpha")]
    [InlineData("tag.team = 'ml'", "alpha")]
    [InlineData("tags.team != 'ml'", "beta,gamma")]
    [InlineData("tags.team LIKE 'ML%'", "beta")]
    [InlineData("tags.team ILIKE 'ml%'", "alpha,beta")]
    [InlineData("tags.`my key` = 'spaced'", "alpha")]
    [InlineData("tags.\"my key\" = 'spaced'", "alpha")]
    [InlineData("tags.team ILIKE 'ml%' AND tags.stage = 'dev'", "beta")]
    [InlineData("tags.team ILIKE 'ml%' and tags.stage = 'prod' AnD name = '{P}-alpha'", "alpha")]
    [InlineData("tags.missing = 'x'", "")]
    public async Task Filters_select_by_name_and_tags_as_MLflow_does(string filter, string expectedSuffixes)
    {
        await SeedAsync();

        var (names, next) = await _models.SearchAsync($"{Scope} AND {filter.Replace("{P}", _prefix)}");

        Assert.Equal(expectedSuffixes.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => $"{_prefix}-{s}"), names);
        Assert.Null(next);
    }

    [Fact]
    public async Task Tag_values_too_long_for_the_index_are_still_found()
    {
        var longValue = new string('x', 3000);
        await _models.CreateAsync($"{_prefix}-long", tags: [("blob", longValue)]);
        await _models.CreateAsync($"{_prefix}-short", tags: [("blob", "x")]);

        Assert.Equal([$"{_prefix}-long"], (await _models.SearchAsync($"{Scope} AND tags.blob = '{longValue}'")).Names);
        Assert.Equal([$"{_prefix}-short"], (await _models.SearchAsync($"{Scope} AND tags.blob = 'x'")).Names);
    }

    [Fact]
    public async Task Results_carry_the_models_tags()
    {
        await SeedAsync();

        var body = await (await _models.SearchRawAsync($"filter={Uri.EscapeDataString($"name = '{_prefix}-beta'")}")).ShouldBeOkAsync();

        var model = Assert.Single(body["registered_models"]!.AsArray())!;
        Assert.Equal("""[{"key":"stage","value":"dev"},{"key":"team","value":"ML-Ops"}]""", model["tags"]!.ToJsonString());
        Assert.Equal(JsonValueKind.Number, model["last_updated_timestamp"]!.GetValueKind());
    }

    [Fact]
    public async Task Order_by_supports_each_key_and_direction_with_name_as_tie_break()
    {
        foreach (var suffix in new[] { "c", "a", "b" })
        {
            await _models.CreateAsync($"{_prefix}-{suffix}");
            await Task.Delay(3);
        }
        await (await _models.SendAsync(HttpMethod.Patch, "registered-models/update", new { name = $"{_prefix}-c", description = "touched" })).ShouldBeOkAsync();

        Assert.Equal(["a", "b", "c"], Suffixes((await _models.SearchAsync(Scope)).Names));
        Assert.Equal(["c", "b", "a"], Suffixes((await _models.SearchAsync(Scope, orderBy: "name DESC")).Names));
        Assert.Equal(["c", "a", "b"], Suffixes((await _models.SearchAsync(Scope, orderBy: "creation_timestamp")).Names));
        Assert.Equal(["b", "a", "c"], Suffixes((await _models.SearchAsync(Scope, orderBy: "creation_timestamp DESC")).Names));
        Assert.Equal(["a", "b", "c"], Suffixes((await _models.SearchAsync(Scope, orderBy: "last_updated_timestamp ASC")).Names));
        Assert.Equal(["c", "b", "a"], Suffixes((await _models.SearchAsync(Scope, orderBy: "timestamp DESC")).Names));
    }

    [Fact]
    public async Task Paging_is_stable_while_models_are_inserted_between_pages()
    {
        var original = Enumerable.Range(0, 25).Select(i => $"{_prefix}-m{i:D2}").ToList();
        foreach (var name in original)
        {
            await _models.CreateAsync(name);
        }

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var (names, next) = await _models.SearchAsync(Scope, maxResults: 10, pageToken: token);
            Assert.True(names.Count <= 10);
            seen.AddRange(names);
            token = next;
            pages++;
            // Inserts before and after the cursor while paging.
            await _models.CreateAsync($"{_prefix}-a-inserted-{pages}");
            await _models.CreateAsync($"{_prefix}-z-inserted-{pages}");
        }
        while (token is not null);

        Assert.Equal(seen.Distinct().Count(), seen.Count);
        Assert.Subset(seen.ToHashSet(), original.ToHashSet());
        Assert.Equal(seen.Order(StringComparer.Ordinal), seen);
    }

    [Fact]
    public async Task Paging_works_with_descending_timestamps_too()
    {
        for (var i = 0; i < 7; i++)
        {
            await _models.CreateAsync($"{_prefix}-t{i}");
        }

        var seen = new List<string>();
        string? token = null;
        do
        {
            var (names, next) = await _models.SearchAsync(Scope, maxResults: 3, pageToken: token, orderBy: "creation_timestamp DESC");
            seen.AddRange(names);
            token = next;
        }
        while (token is not null);

        // Models created in the same millisecond tie on the timestamp and follow by name: the pages must give the order
        // one whole page gives, with every model once.
        var (onePage, _) = await _models.SearchAsync(Scope, maxResults: 100, orderBy: "creation_timestamp DESC");
        Assert.Equal(7, onePage.Count);
        Assert.Equal(onePage, seen);
        Assert.True(seen.IndexOf($"{_prefix}-t6") < seen.IndexOf($"{_prefix}-t0"), string.Join(", ", seen));
    }

    [Fact]
    public async Task Max_results_defaults_to_100()
    {
        for (var i = 0; i < 101; i++)
        {
            await _models.CreateAsync($"{_prefix}-{i:D3}");
        }

        var (names, next) = await _models.SearchAsync(Scope);

        Assert.Equal(100, names.Count);
        Assert.NotNull(next);
        Assert.Equal([$"{_prefix}-100"], (await _models.SearchAsync(Scope, pageToken: next)).Names);
    }

    [Fact]
    public async Task A_LIKE_pattern_ending_in_its_escape_character_is_INVALID_PARAMETER_VALUE_and_holds_no_connection()
    {
        await SeedAsync();
        // PostgreSQL raises the error only when matching reaches the pattern's end: 'data' gets there.
        var query = $"filter={Uri.EscapeDataString($"{Scope} AND tags.team LIKE 'da\\\\'")}";

        // More failures than the API's connection pool holds: each must give its connection back.
        for (var i = 0; i < 40; i++)
        {
            var message = await (await _models.SearchRawAsync(query)).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
            Assert.Contains("escape", message);
        }
        Assert.Equal(4, (await _models.SearchAsync(Scope)).Names.Count);
    }

    [Theory]
    [InlineData("registered-models/search?max_results=1001", "Invalid value for request parameter max_results. It must be at most 1000, but got value 1001")]
    [InlineData("model-versions/search?max_results=200001", "Invalid value for request parameter max_results. It must be at most 200000, but got value 200001")]
    [InlineData("model-versions/search?max_results=0", "Invalid value for max_results. It must be a positive integer, but got 0")]
    [InlineData("registered-models/search?max_results=ten",
        "Invalid value \"ten\" for parameter 'max_results' supplied:  Hint: Value was of type 'str'. See the API docs for more information about request parameters.")]
    public async Task Max_results_out_of_bounds_is_worded_as_MLflows_registry_store_words_it(string query, string expected)
    {
        var message = await (await app.Http.GetAsync(app.Tenants.ProjectId, query, app.Tenants.Developer))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");

        Assert.Equal(expected, message);
    }

    [Theory]
    [InlineData("max_results=1001", "max_results")]
    [InlineData("max_results=0", "max_results")]
    [InlineData("max_results=ten", "max_results")]
    [InlineData("order_by=name&order_by=name%20DESC", "more than once")]
    [InlineData("order_by=timestamp&order_by=last_updated_timestamp", "more than once")]
    [InlineData("order_by=description", "description")]
    [InlineData("order_by=name%20SIDEWAYS", "SIDEWAYS")]
    [InlineData("page_token=not-a-token", "page_token")]
    [InlineData("page_token=eyJxIjoiMDAwMDAwMDAwMDAwMDAwMCIsImsiOlsiYSJdfQ", "page_token")]
    [InlineData("filter=name%20%3D%20'a'%20OR%20name%20%3D%20'b'", "OR")]
    [InlineData("filter=description%20%3D%20'x'", "description")]
    [InlineData("filter=name%20%3E%20'a'", ">")]
    [InlineData("filter=name%20%3D%20'unclosed", "never closed")]
    [InlineData("filter=name%20%3D", "value")]
    [InlineData("filter=name%20%3D%205", "quoted string")]
    [InlineData("filter=name", "operator")]
    [InlineData("filter=tags.%20%3D%20'x'", "key")]
    [InlineData("filter=metrics.acc%20%3E%200.5", "metrics.acc")]
    [InlineData("filter=name%20%3D%20x", "quoted")]
    [InlineData("filter=name%20%3D%20'a'%20name%20%3D%20'b'", "AND")]
    public async Task Invalid_searches_return_INVALID_PARAMETER_VALUE_saying_why(string query, string mentioned)
    {
        var message = await (await _models.SearchRawAsync(query)).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");

        Assert.Contains(mentioned, message);
    }

    [Fact]
    public async Task A_page_token_cannot_be_reused_with_another_filter()
    {
        await SeedAsync();
        var (_, token) = await _models.SearchAsync(Scope, maxResults: 1);

        var response = await _models.SearchRawAsync($"filter={Uri.EscapeDataString(Scope + " AND tags.team = 'ml'")}&page_token={Uri.EscapeDataString(token!)}");

        await response.ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
    }

    [Theory]
    [InlineData("name = 'x'' OR 1=1 --'")]
    [InlineData("name = 'a''; DROP TABLE ml_models; --'")]
    [InlineData("tags.`k'); DROP TABLE ml_models; --` = 'v'")]
    [InlineData("name LIKE '%' AND tags.\"a\"\"b\" = '\\' OR ''='")]
    public async Task Injection_attempts_are_just_strings(string filter)
    {
        await SeedAsync();

        var response = await _models.SearchRawAsync($"filter={Uri.EscapeDataString(filter)}");

        if (response.StatusCode == HttpStatusCode.OK)
        {
            Assert.Empty((await response.ShouldBeOkAsync())["registered_models"]!.AsArray());
        }
        else
        {
            await response.ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        }
        Assert.Equal(4, (await _models.SearchAsync(Scope)).Names.Count);
    }

    [Fact]
    public async Task Search_never_returns_another_projects_models()
    {
        await SeedAsync();
        var theirs = new RegisteredModelClient(app.Http, app.Tenants.OtherProjectId, app.Tenants.Outsider);
        await theirs.CreateAsync($"{_prefix}-alpha-theirs", tags: [("team", "ml")]);

        Assert.Equal(4, (await _models.SearchAsync(Scope)).Names.Count);
        Assert.Equal([$"{_prefix}-alpha"], (await _models.SearchAsync($"{Scope} AND tags.team = 'ml'")).Names);
        Assert.Equal([$"{_prefix}-alpha-theirs"], (await theirs.SearchAsync(Scope)).Names);
    }

    [Fact]
    public async Task An_empty_search_returns_an_empty_list_without_a_token()
    {
        var body = await (await _models.SearchRawAsync($"filter={Uri.EscapeDataString(Scope)}")).ShouldBeOkAsync();

        Assert.Empty(body["registered_models"]!.AsArray());
        Assert.False(body.ContainsKey("next_page_token"));
    }

    private List<string> Suffixes(IEnumerable<string> names) => [.. names.Select(n => n[(_prefix.Length + 1)..])];
}
