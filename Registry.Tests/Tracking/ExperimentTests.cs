using Registry.Tests.Infrastructure;

namespace Registry.Tests.Tracking;

[Collection(RegistryCollection.Name)]
public sealed class ExperimentTests(RegistryAppFixture app)
{
    private readonly TrackingClient _tracking = new(app.Http, app.Tenants.ProjectId, app.Tenants.Developer);

    [Fact]
    public async Task Set_experiment_flow_get_by_name_404_then_create_then_found()
    {
        var name = MlflowHttp.UniqueName("exp");

        await (await _tracking.GetAsync($"experiments/get-by-name?experiment_name={name}")).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        var id = await _tracking.CreateExperimentAsync(name, ("team", "ml"));
        var found = (await (await _tracking.GetAsync($"experiments/get-by-name?experiment_name={name}")).ShouldBeOkAsync())["experiment"]!;

        Assert.Equal(id, (string?)found["experiment_id"]);
        Assert.Equal(name, (string?)found["name"]);
        Assert.Equal("active", (string?)found["lifecycle_stage"]);
        Assert.Equal($"mlflow-artifacts:/{id}", (string?)found["artifact_location"]);
        Assert.Equal(JsonValueKind.Number, found["creation_time"]!.GetValueKind());
        Assert.Equal("""[{"key":"team","value":"ml"}]""", found["tags"]!.ToJsonString());
        await (await _tracking.PostAsync("experiments/create", new { name })).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "RESOURCE_ALREADY_EXISTS");
    }

    [Fact]
    public async Task Experiment_0_is_the_projects_Default_experiment()
    {
        var experiment = await _tracking.GetExperimentAsync("0");

        Assert.Equal("Default", (string?)experiment["name"]);
        Assert.Equal("0", (string?)experiment["experiment_id"]);
    }

    [Fact]
    public async Task The_default_experiment_cannot_be_deleted()
    {
        var message = await (await _tracking.PostAsync("experiments/delete", new { experiment_id = "0" }))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");

        Assert.Contains("default experiment", message);
        Assert.Equal("active", (string?)(await _tracking.GetExperimentAsync("0"))["lifecycle_stage"]);
    }

    [Fact]
    public async Task Rename_delete_and_restore_follow_MLflows_lifecycle()
    {
        var id = await _tracking.CreateExperimentAsync(MlflowHttp.UniqueName("life"));
        var newName = MlflowHttp.UniqueName("renamed");

        await (await _tracking.PostAsync("experiments/update", new { experiment_id = id, new_name = newName })).ShouldBeOkAsync();
        Assert.Equal(newName, (string?)(await _tracking.GetExperimentAsync(id))["name"]);

        await (await _tracking.PostAsync("experiments/delete", new { experiment_id = id })).ShouldBeOkAsync();
        Assert.Equal("deleted", (string?)(await _tracking.GetExperimentAsync(id))["lifecycle_stage"]);
        var message = await (await _tracking.PostAsync("runs/create", new { experiment_id = id, start_time = 1 })).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        Assert.Contains("active", message);

        await (await _tracking.PostAsync("experiments/restore", new { experiment_id = id })).ShouldBeOkAsync();
        Assert.Equal("active", (string?)(await _tracking.GetExperimentAsync(id))["lifecycle_stage"]);
        await _tracking.CreateRunAsync(id);
    }

    [Fact]
    public async Task Renaming_onto_a_taken_name_is_RESOURCE_ALREADY_EXISTS()
    {
        var taken = MlflowHttp.UniqueName("taken");
        await _tracking.CreateExperimentAsync(taken);
        var id = await _tracking.CreateExperimentAsync(MlflowHttp.UniqueName("other"));

        await (await _tracking.PostAsync("experiments/update", new { experiment_id = id, new_name = taken })).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "RESOURCE_ALREADY_EXISTS");
    }

    [Fact]
    public async Task Experiment_tags_are_set_and_deleted()
    {
        var id = await _tracking.CreateExperimentAsync(MlflowHttp.UniqueName("tags"));

        await (await _tracking.PostAsync("experiments/set-experiment-tag", new { experiment_id = id, key = "mlflow.note.content", value = "notes" })).ShouldBeOkAsync();
        Assert.Equal("""[{"key":"mlflow.note.content","value":"notes"}]""", (await _tracking.GetExperimentAsync(id))["tags"]!.ToJsonString());
        await (await _tracking.PostAsync("experiments/delete-experiment-tag", new { experiment_id = id, key = "mlflow.note.content" })).ShouldBeOkAsync();
        Assert.Empty((await _tracking.GetExperimentAsync(id))["tags"]!.AsArray());
    }

    [Fact]
    public async Task Search_filters_orders_pages_and_honours_view_type()
    {
        var prefix = $"x{Guid.NewGuid():N}"[..10];
        var ids = new List<string>();
        foreach (var suffix in new[] { "b", "a", "c" })
        {
            ids.Add(await _tracking.CreateExperimentAsync($"{prefix}-{suffix}", ("kind", suffix == "c" ? "special" : "plain")));
        }
        await (await _tracking.PostAsync("experiments/delete", new { experiment_id = ids[2] })).ShouldBeOkAsync();

        async Task<List<string>> Names(object body) =>
            [.. (await (await _tracking.PostAsync("experiments/search", body)).ShouldBeOkAsync())["experiments"]!.AsArray().Select(e => ((string)e!["name"]!)[(prefix.Length + 1)..])];

        Assert.Equal(["a", "b"], await Names(new { filter = $"name LIKE '{prefix}%'", order_by = new[] { "name" } }));
        Assert.Equal(["c"], await Names(new { filter = $"name LIKE '{prefix}%'", view_type = "DELETED_ONLY" }));
        Assert.Equal(["a", "b", "c"], await Names(new { filter = $"name LIKE '{prefix}%'", view_type = "ALL", order_by = new[] { "name ASC" } }));
        Assert.Equal(["c"], await Names(new { filter = $"name LIKE '{prefix}%' AND tags.kind = 'special'", view_type = "ALL" }));

        var first = await (await _tracking.PostAsync("experiments/search", new { filter = $"name LIKE '{prefix}%'", max_results = 1, order_by = new[] { "name" } })).ShouldBeOkAsync();
        var token = (string)first["next_page_token"]!;
        var second = await (await _tracking.GetAsync($"experiments/search?filter={Uri.EscapeDataString($"name LIKE '{prefix}%'")}&max_results=1&order_by=name&page_token={token}")).ShouldBeOkAsync();
        Assert.EndsWith("-b", (string)second["experiments"]![0]!["name"]!);
    }

    [Theory]
    [InlineData("experiments/create", """{"name": ""}""", "name")]
    [InlineData("experiments/create", """{"name": "   "}""", "name")]
    [InlineData("experiments/update", """{"experiment_id": "0", "new_name": ""}""", "new_name")]
    [InlineData("experiments/search", """{"filter": "name = 'a' OR name = 'b'"}""", "OR")]
    [InlineData("experiments/search", """{"filter": "creation_time > 'yesterday'"}""", "creation_time")]
    [InlineData("experiments/search", """{"view_type": "SOMETIMES"}""", "SOMETIMES")]
    [InlineData("experiments/search", """{"max_results": 50001}""", "max_results")]
    [InlineData("experiments/search", """{"max_results": 0}""", "max_results")]
    public async Task Bad_experiment_requests_are_INVALID_PARAMETER_VALUE(string rpc, string body, string mentioned)
    {
        var message = await (await app.Http.PostRawAsync(app.Tenants.ProjectId, rpc, body, app.Tenants.Developer)).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");

        Assert.Contains(mentioned, message);
    }

    [Fact]
    public async Task Times_beyond_the_calendar_compare_like_the_ends_of_time()
    {
        var body = await (await _tracking.PostAsync("experiments/search", new { filter = "creation_time < 1e30 AND last_update_time > -1e30", max_results = 1 })).ShouldBeOkAsync();

        Assert.Single(body["experiments"]!.AsArray());
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("999999")]
    public async Task Unknown_experiment_ids_are_RESOURCE_DOES_NOT_EXIST(string id)
    {
        await (await _tracking.GetAsync($"experiments/get?experiment_id={id}")).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }

    /// <summary>MLflow names the id as it was sent: <c>007</c> is experiment 7, and the message says <c>007</c>.</summary>
    [Theory]
    [InlineData("experiments/get")]
    [InlineData("experiments/update")]
    [InlineData("experiments/delete")]
    [InlineData("experiments/restore")]
    [InlineData("experiments/set-experiment-tag")]
    [InlineData("experiments/delete-experiment-tag")]
    [InlineData("runs/create")]
    [InlineData("logged-models")]
    public async Task A_missing_experiment_is_named_as_sent_leading_zeros_and_all(string rpc)
    {
        const string sent = "000999999";

        var response = rpc == "experiments/get"
            ? await _tracking.GetAsync($"{rpc}?experiment_id={sent}")
            : await _tracking.PostAsync(rpc, new { experiment_id = sent, new_name = MlflowHttp.UniqueName("renamed"), key = "k", value = "v", start_time = 1 });

        var message = await response.ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        Assert.Equal($"No Experiment with id={sent} exists", message);
    }

    [Fact]
    public async Task A_registered_models_default_experiment_takes_runs()
    {
        var model = MlflowHttp.UniqueName("model");
        await new RegisteredModelClient(app.Http, app.Tenants.ProjectId, app.Tenants.Developer).CreateAsync(model);

        var experiment = (await (await _tracking.GetAsync($"experiments/get-by-name?experiment_name={Uri.EscapeDataString($"[model]{model}")}")).ShouldBeOkAsync())["experiment"]!;
        var run = await _tracking.CreateRunAsync((string)experiment["experiment_id"]!);

        Assert.Equal((string?)experiment["experiment_id"], (string?)run["info"]!["experiment_id"]);
    }

    [Fact]
    public async Task Experiments_are_invisible_to_other_projects()
    {
        var id = await _tracking.CreateExperimentAsync(MlflowHttp.UniqueName("mine"));
        var theirs = new TrackingClient(app.Http, app.Tenants.OtherProjectId, app.Tenants.Outsider);

        var other = await theirs.GetAsync($"experiments/get?experiment_id={id}");

        if (other.StatusCode == HttpStatusCode.OK)
        {
            Assert.NotEqual((string?)(await _tracking.GetExperimentAsync(id))["name"], (string?)(await other.ShouldBeOkAsync())["experiment"]!["name"]);
        }
        else
        {
            await other.ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        }
    }
}
