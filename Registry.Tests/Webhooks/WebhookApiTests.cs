using Npgsql;
using Registry.Tests.Admin;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Webhooks;

/// <summary>MLflow 3.11's webhook API: its shapes, its paging, its errors, and who may use it.</summary>
[Collection(RegistryCollection.Name)]
public sealed class WebhookApiTests(RegistryAppFixture app)
{
    private AdminHttp Admin => new(app.Http, new TestToken(app.BootstrapToken));
    private const string Url = "http://127.0.0.1:9/hook";

    [Fact]
    public async Task A_webhook_is_created_read_updated_and_deleted_in_MLflows_shape_without_its_secret()
    {
        var project = await Admin.ProjectAsync();
        var maintainer = (await Admin.PersonAsync(project, 40)).Token;

        var created = await (await app.Http.PostJsonAsync(project, "webhooks", new JsonObject
        {
            ["name"] = "deploy.v1", ["description"] = "to CI", ["url"] = Url, ["secret"] = "s3cr3t-value",
            ["events"] = WebhookCalls.Events("model_version_alias.created", "model_version.created"),
        }, maintainer)).ShouldBeOkAsync();
        var webhook = created["webhook"]!.AsObject();
        var id = (string)webhook["webhook_id"]!;

        Assert.Equal(["webhook_id", "name", "description", "url", "events", "status", "creation_timestamp", "last_updated_timestamp"],
            webhook.Select(p => p.Key));
        Assert.True(Guid.TryParse(id, out _));
        Assert.True(JsonNode.DeepEquals(WebhookCalls.Events("model_version.created", "model_version_alias.created"), webhook["events"]));
        Assert.Equal("ACTIVE", (string?)webhook["status"]);
        Assert.DoesNotContain("s3cr3t", created.ToJsonString());
        Assert.True(JsonNode.DeepEquals(webhook, (await (await app.Http.GetAsync(project, $"webhooks/{id}", maintainer)).ShouldBeOkAsync())["webhook"]));
        var stored = (string)(await SqlAsync($"SELECT protected_secret FROM webhooks WHERE id = '{id}'"))!;
        Assert.DoesNotContain("s3cr3t", stored);

        var updated = (await (await app.Http.SendWebhookAsync(HttpMethod.Patch, project, $"webhooks/{id}", new JsonObject
        {
            ["name"] = "deploy.v2", ["url"] = Url + "2", ["events"] = WebhookCalls.Events("registered_model.created"), ["status"] = "DISABLED",
        }, maintainer)).ShouldBeOkAsync())["webhook"]!;
        Assert.Equal(("deploy.v2", Url + "2", "DISABLED", "to CI"),
            ((string?)updated["name"], (string?)updated["url"], (string?)updated["status"], (string?)updated["description"]));
        Assert.True(JsonNode.DeepEquals(WebhookCalls.Events("registered_model.created"), updated["events"]));
        Assert.True((long)updated["last_updated_timestamp"]! >= (long)updated["creation_timestamp"]!);

        Assert.Equal("{}", (await (await app.Http.SendWebhookAsync(HttpMethod.Delete, project, $"webhooks/{id}", null, maintainer)).ShouldBeOkAsync()).ToJsonString());
        await (await app.Http.GetAsync(project, $"webhooks/{id}", maintainer)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }

    [Fact]
    public async Task Webhooks_are_listed_newest_first_a_page_at_a_time()
    {
        var project = await Admin.ProjectAsync();
        var maintainer = (await Admin.PersonAsync(project, 40)).Token;
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((string)(await app.Http.CreateWebhookAsync(project, maintainer, Url, ["registered_model.created"], name: $"hook{i}"))["webhook_id"]!);
        }

        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await (await app.Http.GetAsync(project, "webhooks?max_results=2" + (token is null ? "" : $"&page_token={Uri.EscapeDataString(token)}"), maintainer)).ShouldBeOkAsync();
            seen.AddRange(page["webhooks"]!.AsArray().Select(w => (string)w!["webhook_id"]!));
            token = (string?)page["next_page_token"];
        }
        while (token is not null);

        Assert.Equal(Enumerable.Reverse(ids), seen);
        var all = await (await app.Http.GetAsync(project, "webhooks?max_results=0", maintainer)).ShouldBeOkAsync();
        Assert.Equal(5, all["webhooks"]!.AsArray().Count);
    }

    [Fact]
    public async Task Only_Maintainers_and_above_see_or_manage_a_projects_webhooks()
    {
        var tenants = app.Tenants;
        var id = (string)(await app.Http.CreateWebhookAsync(tenants.ProjectId, tenants.Maintainer, Url, ["registered_model.created"]))["webhook_id"]!;

        foreach (var token in new[] { tenants.Developer, tenants.Reporter })
        {
            await (await app.Http.GetAsync(tenants.ProjectId, "webhooks", token)).ShouldBeMlflowErrorAsync(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
            await (await app.Http.GetAsync(tenants.ProjectId, $"webhooks/{id}", token)).ShouldBeMlflowErrorAsync(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
            await (await app.Http.PostJsonAsync(tenants.ProjectId, "webhooks", new { name = "x", url = Url, events = WebhookCalls.Events("registered_model.created") }, token))
                .ShouldBeMlflowErrorAsync(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
        }
        await (await app.Http.GetAsync(tenants.OtherProjectId, $"webhooks/{id}", tenants.Outsider)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        await (await app.Http.SendWebhookAsync(HttpMethod.Delete, tenants.ProjectId, $"webhooks/{id}", null, tenants.Maintainer)).ShouldBeOkAsync();
    }

    public static TheoryData<string, string, string> BadCreates => new()
    {
        { "{}", "Missing value for required parameter 'name'. See the API docs for more information about request parameters.", "" },
        { """{"name": "x"}""", "Missing value for required parameter 'url'. See the API docs for more information about request parameters.", "" },
        { $$"""{"name": "x", "url": "{{Url}}"}""", "Missing value for required parameter 'events'. See the API docs for more information about request parameters.", "" },
        { $$"""{"name": "-bad", "url": "{{Url}}", "events": [{"entity": "MODEL_VERSION", "action": "CREATED"}]}""",
          "Webhook name '-bad' is invalid. It must start and end with a letter or digit, be less than 63 characters long, and contain only letters, digits, dots (.), underscores (_), and hyphens (-).", "" },
        { """{"name": "x", "url": "ftp://example.com/h", "events": [{"entity": "MODEL_VERSION", "action": "CREATED"}]}""",
          "Invalid webhook URL scheme: 'ftp'. Allowed schemes are: http, https.", "" },
        { """{"name": "x", "url": "https:///h", "events": [{"entity": "MODEL_VERSION", "action": "CREATED"}]}""", "Webhook URL must include a hostname: 'https:///h'", "" },
        { """{"name": "x", "url": "  ", "events": [{"entity": "MODEL_VERSION", "action": "CREATED"}]}""", "Webhook URL cannot be empty or just whitespace: '  '", "" },
        { $$"""{"name": "x", "url": "{{Url}}", "events": []}""", "Webhook events must be a non-empty list of WebhookEvent objects: [].", "" },
        { $$"""{"name": "x", "url": "{{Url}}", "events": [{"entity": "MODEL_VERSION", "action": "SET"}]}""",
          "Invalid action 'set' for entity 'model_version'. Valid actions are: ['created', 'stage_transitioned']", "" },
        { $$"""{"name": "x", "url": "{{Url}}", "events": [{"entity": "NOPE", "action": "CREATED"}]}""", "Invalid webhook event entity \"NOPE\"", "prefix" },
        { $$"""{"name": "x", "url": "{{Url}}", "events": [{"entity": "MODEL_VERSION"}]}""", "Missing value for required parameter 'events[0].action'.", "prefix" },
        { $$"""{"name": "x", "url": "{{Url}}", "events": [{"entity": "BUDGET_POLICY", "action": "EXCEEDED"}]}""", "Registry does not send 'budget_policy.exceeded' events", "prefix" },
        { $$"""{"name": "x", "url": "{{Url}}", "events": [{"entity": "REGISTERED_MODEL", "action": "CREATED"}, {"entity": 1, "action": 1}]}""",
          "Webhook event 'registered_model.created' is listed more than once.", "" },
        { $$"""{"name": "x", "url": "{{Url}}", "events": [{"entity": "REGISTERED_MODEL", "action": "CREATED"}], "status": "NOPE"}""",
          "Invalid webhook status \"NOPE\". Valid statuses are: ACTIVE, DISABLED.", "" },
        { $$"""{"name": 5, "url": "{{Url}}", "events": []}""", "Invalid value 5 for parameter 'name' supplied", "prefix" },
    };

    [Theory]
    [MemberData(nameof(BadCreates))]
    public async Task A_bad_create_gets_MLflows_error(string body, string message, string match)
    {
        var response = await app.Http.PostRawAsync(app.Tenants.ProjectId, "webhooks", body, app.Tenants.Maintainer);

        var said = await response.ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        if (match == "prefix") Assert.StartsWith(message, said); else Assert.Equal(message, said);
    }

    [Fact]
    public async Task Bad_input_on_every_other_webhook_endpoint_gets_MLflows_errors()
    {
        var (project, token) = (app.Tenants.ProjectId, app.Tenants.Maintainer);
        var id = (string)(await app.Http.CreateWebhookAsync(project, token, Url, ["registered_model.created"]))["webhook_id"]!;
        var missing = Guid.NewGuid().ToString();
        async Task<string> Error(HttpMethod method, string path, JsonObject? body, HttpStatusCode status, string code) =>
            await (await app.Http.SendWebhookAsync(method, project, path, body, token)).ShouldBeMlflowErrorAsync(status, code);

        Assert.Equal("max_results must be between 1 and 1000.", await Error(HttpMethod.Get, "webhooks?max_results=1001", null, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE"));
        Assert.Equal("max_results must be between 1 and 1000.", await Error(HttpMethod.Get, "webhooks?max_results=-1", null, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE"));
        await Error(HttpMethod.Get, "webhooks?max_results=abc", null, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        await Error(HttpMethod.Get, "webhooks?page_token=garbage", null, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        foreach (var unknown in new[] { missing, "nope" })
        {
            var notFound = $"Webhook with ID {unknown} not found.";
            Assert.Equal(notFound, await Error(HttpMethod.Get, $"webhooks/{unknown}", null, HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST"));
            Assert.Equal(notFound, await Error(HttpMethod.Patch, $"webhooks/{unknown}", new JsonObject { ["name"] = "x" }, HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST"));
            Assert.Equal(notFound, await Error(HttpMethod.Delete, $"webhooks/{unknown}", null, HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST"));
            Assert.Equal(notFound, await Error(HttpMethod.Post, $"webhooks/{unknown}/test", new JsonObject(), HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST"));
            Assert.Equal(notFound, await Error(HttpMethod.Get, $"webhooks/{unknown}/deliveries", null, HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST"));
        }
        await Error(HttpMethod.Post, $"webhooks/{id}/deliveries/{missing}/redeliver", null, HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        Assert.StartsWith("Webhook name '-x' is invalid.", await Error(HttpMethod.Patch, $"webhooks/{id}", new JsonObject { ["name"] = "-x" }, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE"));
        Assert.Equal("Invalid webhook URL scheme: 'ftp'. Allowed schemes are: http, https.",
            await Error(HttpMethod.Patch, $"webhooks/{id}", new JsonObject { ["url"] = "ftp://x" }, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE"));
        Assert.Equal("Invalid action 'created' for entity 'model_version_tag'. Valid actions are: ['deleted', 'set']",
            await Error(HttpMethod.Patch, $"webhooks/{id}", new JsonObject { ["events"] = WebhookCalls.Events("model_version_tag.created") }, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE"));
        Assert.Equal("Invalid action 'created' for entity 'model_version_tag'. Valid actions are: ['deleted', 'set']",
            await Error(HttpMethod.Post, $"webhooks/{id}/test", new JsonObject { ["event"] = WebhookCalls.Events("model_version_tag.created")[0]!.DeepClone() },
                HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE"));
        await Error(HttpMethod.Get, $"webhooks/{id}/deliveries?max_results=0x", null, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        await Error(HttpMethod.Get, $"webhooks/{id}/deliveries?page_token=garbage", null, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        await (await app.Http.SendWebhookAsync(HttpMethod.Delete, project, $"webhooks/{id}", null, token)).ShouldBeOkAsync();
    }

    private async Task<object?> SqlAsync(string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(app.ConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        return await command.ExecuteScalarAsync();
    }
}
