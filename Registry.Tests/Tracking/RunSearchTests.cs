using Registry.Tests.Infrastructure;
using static Registry.Tests.Infrastructure.TrackingClient;

namespace Registry.Tests.Tracking;

[Collection(RegistryCollection.Name)]
public sealed class RunSearchTests(RegistryAppFixture app)
{
    private readonly TrackingClient _tracking = new(app.Http, app.Tenants.ProjectId, app.Tenants.Developer);

    /// <summary>Runs a..e: loss 0.05, 0.2, 0.08, none, 0.01; lr 0.01, 0.01, 0.1, 0.01, 0.01; e is FINISHED, d is deleted.</summary>
    private async Task<string> SeedAsync()
    {
        var experimentId = await _tracking.CreateExperimentAsync(MlflowHttp.UniqueName("search"));
        var runs = new (string Name, double? Loss, string Lr)[] { ("a", 0.05, "0.01"), ("b", 0.2, "0.01"), ("c", 0.08, "0.1"), ("d", null, "0.01"), ("e", 0.01, "0.01") };
        long start = 1_700_000_000_000;
        foreach (var (name, loss, lr) in runs)
        {
            var runId = (string)(await _tracking.CreateRunAsync(experimentId, name, start += 1000))["info"]!["run_id"]!;
            await (await _tracking.LogBatchAsync(runId, loss is null ? [] : [Metric("loss", loss)], [Pair("lr", lr)], [Pair("team", name == "e" ? "ml-ops" : "ml")])).ShouldBeOkAsync();
            if (name == "e") await (await _tracking.PostAsync("runs/update", new { run_id = runId, status = "FINISHED" })).ShouldBeOkAsync();
            if (name == "d") await (await _tracking.PostAsync("runs/delete", new { run_id = runId })).ShouldBeOkAsync();
        }
        return experimentId;
    }

    [Theory]
    [InlineData("", null, "e,c,b,a")]
    [InlineData("metrics.loss < 0.1 and params.lr = '0.01'", "metrics.loss", "e,a")]
    [InlineData("metrics.loss >= 0.08", "metrics.loss DESC", "b,c")]
    [InlineData("params.lr != '0.01'", null, "c")]
    [InlineData("tags.team LIKE 'ml-%'", null, "e")]
    [InlineData("tags.team ILIKE 'ML'", null, "c,b,a")]
    [InlineData("attributes.status = 'FINISHED'", null, "e")]
    [InlineData("status != 'FINISHED'", "attributes.run_name ASC", "a,b,c")]
    [InlineData("attributes.run_name LIKE '_'", "run_name DESC", "e,c,b,a")]
    [InlineData("attributes.start_time > 1700000002000", "start_time", "c,e")]
    [InlineData("", "metrics.loss ASC", "e,a,c,b")]
    [InlineData("", "params.lr DESC;attributes.run_name ASC", "c,a,b,e")]
    public async Task Filters_and_orders_select_runs_as_MLflow_does(string filter, string? orderBy, string expected)
    {
        var experimentId = await SeedAsync();

        var (names, _) = await _tracking.SearchRunsAsync([experimentId], filter, orderBy?.Split(';'));

        Assert.Equal(expected.Split(','), names);
    }

    [Fact]
    public async Task Runs_without_the_ordering_metric_come_last()
    {
        var experimentId = await SeedAsync();

        var (names, _) = await _tracking.SearchRunsAsync([experimentId], orderBy: ["metrics.loss DESC"], viewType: "ALL");

        Assert.Equal(["b", "c", "a", "e", "d"], names);
    }

    [Theory]
    [InlineData("params.lr = '0.01'", "metrics.loss ASC", "e,a,b,d")]
    [InlineData("params.lr = '0.01'", "metrics.loss DESC", "b,a,e,d")]
    [InlineData("metrics.loss < 0.1", "metrics.loss ASC", "e,a,c")]
    [InlineData("metrics.loss < 0.1", "metrics.loss DESC", "c,a,e")]
    [InlineData("", "metrics.loss DESC;params.lr ASC", "b,c,a,e,d")]
    public async Task Pages_ordered_by_a_metric_follow_one_another_with_runs_lacking_it_last(string filter, string orderBy, string expected)
    {
        var experimentId = await SeedAsync();

        foreach (var pageSize in new[] { 1, 2, 3 })
        {
            var (names, token) = await _tracking.SearchRunsAsync([experimentId], filter, orderBy.Split(';'), "ALL", pageSize);
            while (token is not null)
            {
                var (more, next) = await _tracking.SearchRunsAsync([experimentId], filter, orderBy.Split(';'), "ALL", pageSize, token);
                names.AddRange(more);
                token = next;
            }
            Assert.Equal(expected.Split(','), names);
        }
    }

    [Fact]
    public async Task Runs_tied_on_the_ordering_metric_come_latest_started_first_then_by_run_id()
    {
        var experimentId = await _tracking.CreateExperimentAsync(MlflowHttp.UniqueName("ties"));
        var runIds = new Dictionary<string, string>();
        foreach (var (name, start, loss) in new[] { ("t1", 1000L, 0.5), ("t2", 2000L, 0.5), ("t3", 3000L, 0.5), ("t4", 4000L, 0.5), ("low", 5000L, 0.1), ("s1", 6000L, 0.7), ("s2", 6000L, 0.7) })
        {
            runIds[name] = (string)(await _tracking.CreateRunAsync(experimentId, name, 1_700_000_000_000 + start))["info"]!["run_id"]!;
            await (await _tracking.LogBatchAsync(runIds[name], [Metric("loss", loss)])).ShouldBeOkAsync();
        }
        var sameStart = new[] { "s1", "s2" }.OrderBy(name => runIds[name], StringComparer.Ordinal);

        var (names, _) = await _tracking.SearchRunsAsync([experimentId], orderBy: ["metrics.loss"]);

        Assert.Equal(["low", "t4", "t3", "t2", "t1", .. sameStart], names);
    }

    /// <summary>
    /// As MLflow's SQL store orders them: NaN after every number (infinities included) in both directions, then runs
    /// without the metric; as the first key (walked in the index) and as a later one.
    /// </summary>
    [Theory]
    [InlineData("metrics.loss ASC", "minus-inf,half,inf,nan,none")]
    [InlineData("metrics.loss DESC", "inf,half,minus-inf,nan,none")]
    [InlineData("attributes.status ASC;metrics.loss DESC", "inf,half,minus-inf,nan,none")]
    [InlineData("attributes.status ASC;metrics.loss ASC", "minus-inf,half,inf,nan,none")]
    [InlineData("metrics.other ASC;metrics.loss DESC", "none,inf,half,minus-inf,nan")]
    public async Task NaN_comes_after_every_number_in_both_directions_and_runs_without_the_metric_come_last(string orderBy, string expected)
    {
        var experimentId = await _tracking.CreateExperimentAsync(MlflowHttp.UniqueName("nan"));
        foreach (var (name, loss) in new (string, object?)[] { ("nan", "NaN"), ("inf", "Infinity"), ("none", null), ("half", 0.5), ("minus-inf", "-Infinity") })
        {
            var runId = await _tracking.NewRunIdAsync(experimentId, name);
            await (await _tracking.LogBatchAsync(runId, loss is null ? [Metric("other", 1)] : [Metric("loss", loss)])).ShouldBeOkAsync();
        }

        var paged = new List<string>();
        string? token = null;
        do
        {
            (var page, token) = await _tracking.SearchRunsAsync([experimentId], orderBy: orderBy.Split(';'), maxResults: 2, pageToken: token);
            paged.AddRange(page);
        }
        while (token is not null);

        Assert.Equal(expected.Split(','), (await _tracking.SearchRunsAsync([experimentId], orderBy: orderBy.Split(';'))).RunIds);
        Assert.Equal(expected.Split(','), paged);
    }

    [Theory]
    [InlineData("DELETED_ONLY", "d")]
    [InlineData("ALL", "e,d,c,b,a")]
    [InlineData("ACTIVE_ONLY", "e,c,b,a")]
    public async Task View_type_selects_by_lifecycle(string viewType, string expected)
    {
        var experimentId = await SeedAsync();

        Assert.Equal(expected.Split(','), (await _tracking.SearchRunsAsync([experimentId], viewType: viewType)).RunIds);
    }

    [Fact]
    public async Task Run_id_IN_and_paging()
    {
        var experimentId = await SeedAsync();
        var all = await (await _tracking.PostAsync("runs/search", new { experiment_ids = new[] { experimentId } })).ShouldBeOkAsync();
        var ids = all["runs"]!.AsArray().Select(r => (string)r!["info"]!["run_id"]!).ToList();

        var (byId, _) = await _tracking.SearchRunsAsync([experimentId], $"attributes.run_id IN ('{ids[0]}', '{ids[2]}')");
        Assert.Equal(["e", "b"], byId);

        var (first, token) = await _tracking.SearchRunsAsync([experimentId], maxResults: 3);
        var (rest, end) = await _tracking.SearchRunsAsync([experimentId], maxResults: 3, pageToken: token);
        Assert.Equal(["e", "c", "b", "a"], first.Concat(rest));
        Assert.Null(end);
    }

    [Theory]
    [InlineData("metrics.loss = 'low'", "metrics.loss")]
    [InlineData("params.lr < 1", "params.lr")]
    [InlineData("attributes.color = 'red'", "color")]
    [InlineData("metrics.loss < 0.1 OR params.lr = '0.01'", "OR")]
    [InlineData("datasets.name = 'x'", "datasets")]
    public async Task Invalid_filters_are_INVALID_PARAMETER_VALUE(string filter, string mentioned)
    {
        var experimentId = await _tracking.CreateExperimentAsync(MlflowHttp.UniqueName("bad"));

        var message = await (await _tracking.PostAsync("runs/search", new { experiment_ids = new[] { experimentId }, filter }))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");

        Assert.Contains(mentioned, message);
    }

    [Fact]
    public async Task Invalid_experiment_ids_orderings_and_tokens_are_INVALID_PARAMETER_VALUE()
    {
        await (await _tracking.PostAsync("runs/search", new { experiment_ids = new[] { "abc" } })).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        await (await _tracking.PostAsync("runs/search", new { experiment_ids = new[] { "0" }, order_by = new[] { "metrics.loss SIDEWAYS" } })).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        await (await _tracking.PostAsync("runs/search", new { experiment_ids = new[] { "0" }, page_token = "nope" })).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        await (await _tracking.PostAsync("runs/search", new { experiment_ids = new[] { "0" }, max_results = 50001 })).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
    }

    [Theory]
    [InlineData("params.lr = '0.01'' OR 1=1 --'")]
    [InlineData("tags.`x'); DELETE FROM ml_candidates; --` = 'y'")]
    public async Task Injection_attempts_are_just_strings(string filter)
    {
        var experimentId = await SeedAsync();

        var (names, _) = await _tracking.SearchRunsAsync([experimentId], filter);

        Assert.Empty(names);
        Assert.Equal(4, (await _tracking.SearchRunsAsync([experimentId])).RunIds.Count);
    }

    [Fact]
    public async Task Experiments_that_do_not_exist_add_nothing_and_alone_find_nothing()
    {
        var experimentId = await SeedAsync();

        Assert.Empty((await _tracking.SearchRunsAsync(["987654321"])).RunIds);
        Assert.Equal(4, (await _tracking.SearchRunsAsync(["987654321", experimentId, experimentId])).RunIds.Count);
    }

    [Fact]
    public async Task Searching_another_projects_experiment_finds_nothing_of_ours()
    {
        var experimentId = await SeedAsync();
        var theirs = new TrackingClient(app.Http, app.Tenants.OtherProjectId, app.Tenants.Outsider);

        Assert.Empty((await theirs.SearchRunsAsync([experimentId], viewType: "ALL")).RunIds);
    }
}
