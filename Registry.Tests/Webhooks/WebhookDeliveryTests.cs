using Npgsql;
using Registry.Tests.Admin;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Webhooks;

/// <summary>
/// Events reach a receiver on loopback as MLflow 3.11 sends them, signed so that a receiver written for MLflow verifies
/// them, at least once, with the same delivery id on every attempt. Each test has a project of its own.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class WebhookDeliveryTests(RegistryAppFixture app, WebhookReceiverFixture receivers) : IClassFixture<WebhookReceiverFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private const string Secret = "whsec-registry-tests";
    private const string Source = "mlflow-artifacts:/1/abc/artifacts/model";

    private WebhookReceiver Receiver => receivers.Receiver;
    private AdminHttp Admin => new(app.Http, new TestToken(app.BootstrapToken));

    private async Task<(long Project, TestToken Maintainer)> ProjectAsync()
    {
        var project = await Admin.ProjectAsync();
        return (project, (await Admin.PersonAsync(project, 40)).Token);
    }

    [Fact]
    public async Task Each_registry_event_arrives_with_MLflows_payload_and_a_signature_MLflows_check_accepts()
    {
        var (project, maintainer) = await ProjectAsync();
        var inbox = Receiver.Inbox();
        await app.Http.CreateWebhookAsync(project, maintainer, Receiver.Url(inbox),
            ["registered_model.created", "model_version.created", "model_version_tag.set", "model_version_tag.deleted",
             "model_version_alias.created", "model_version_alias.deleted", "model_version.stage_transitioned"], Secret);
        var versions = new ModelVersionClient(app.Http, project, maintainer);
        var name = "churn-é-" + Guid.NewGuid().ToString("N")[..6];
        var before = DateTimeOffset.UtcNow;

        await versions.Models.CreateAsync(name, "first", ("team", "ml"));
        await versions.CreateAsync(name, Source, null, ("stage", "dev"));
        await (await versions.SendAsync(HttpMethod.Post, "model-versions/set-tag", new { name, version = "1", key = "approved", value = "yes" })).ShouldBeOkAsync();
        await (await versions.SendAsync(HttpMethod.Delete, "model-versions/delete-tag", new { name, version = "1", key = "approved" })).ShouldBeOkAsync();
        await (await versions.SendAsync(HttpMethod.Post, "registered-models/alias", new { name, alias = "champion", version = "1" })).ShouldBeOkAsync();
        await (await versions.SendAsync(HttpMethod.Delete, "registered-models/alias", new { name, alias = "champion" })).ShouldBeOkAsync();
        await versions.CreateAsync(name, Source + "2");
        await versions.TransitionAsync(name, "2", "Production");
        await versions.TransitionAsync(name, "1", "Production", archive: true);

        var received = await Receiver.WaitForAsync(inbox, 9, Patience);
        JsonObject[] expected =
        [
            Event("registered_model.created", new JsonObject { ["name"] = name, ["tags"] = new JsonObject { ["team"] = "ml" }, ["description"] = "first" }),
            Event("model_version.created", new JsonObject
            {
                ["name"] = name, ["version"] = "1", ["source"] = Source, ["run_id"] = null, ["tags"] = new JsonObject { ["stage"] = "dev" }, ["description"] = null,
            }),
            Event("model_version_tag.set", new JsonObject { ["name"] = name, ["version"] = "1", ["key"] = "approved", ["value"] = "yes" }),
            Event("model_version_tag.deleted", new JsonObject { ["name"] = name, ["version"] = "1", ["key"] = "approved" }),
            Event("model_version_alias.created", new JsonObject { ["name"] = name, ["alias"] = "champion", ["version"] = "1" }),
            Event("model_version_alias.deleted", new JsonObject { ["name"] = name, ["alias"] = "champion" }),
            Event("model_version.created", new JsonObject
            {
                ["name"] = name, ["version"] = "2", ["source"] = Source + "2", ["run_id"] = null, ["tags"] = new JsonObject(), ["description"] = null,
            }),
            Event("model_version.stage_transitioned", new JsonObject
            {
                ["name"] = name, ["version"] = "2", ["from_stage"] = "None", ["to_stage"] = "Production", ["archived_versions"] = new JsonArray(),
            }),
            Event("model_version.stage_transitioned", new JsonObject
            {
                ["name"] = name, ["version"] = "1", ["from_stage"] = "None", ["to_stage"] = "Production", ["archived_versions"] = new JsonArray("2"),
            }),
        ];
        var bodies = received.Select(r => r.Json).ToList();
        foreach (var e in expected)
        {
            Assert.True(bodies.Any(b => JsonNode.DeepEquals(Without(b, "timestamp"), e)), $"missing {e.ToJsonString()} in\n{string.Join('\n', bodies.Select(b => b.ToJsonString()))}");
        }
        Assert.Equal(9, received.Count);
        Assert.All(received, r =>
        {
            Assert.True(MlflowSignature.Verify(r, Secret), $"signature of {r.Body}");
            Assert.Equal("application/json", r.ContentType);
            Assert.True(Guid.TryParse(r.DeliveryId, out _));
            Assert.InRange(long.Parse(r.Timestamp, System.Globalization.CultureInfo.InvariantCulture), before.ToUnixTimeSeconds() - 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$", (string)r.Json["timestamp"]!);
        });
        Assert.Equal(9, received.Select(r => r.DeliveryId).Distinct().Count());
        // Byte for byte as Python's json.dumps writes it: ", " and ": " between items, non-ASCII escaped.
        var created = received.Single(r => (string?)r.Json["entity"] == "registered_model");
        Assert.StartsWith("{\"entity\": \"registered_model\", \"action\": \"created\", \"timestamp\": \"", created.Body);
        Assert.EndsWith($", \"data\": {{\"name\": \"{name.Replace("é", "\\u00e9")}\", \"tags\": {{\"team\": \"ml\"}}, \"description\": \"first\"}}}}", created.Body);
    }

    [Fact]
    public async Task A_prompt_sends_MLflows_prompt_events_and_no_model_events()
    {
        var (project, maintainer) = await ProjectAsync();
        var inbox = Receiver.Inbox();
        await app.Http.CreateWebhookAsync(project, maintainer, Receiver.Url(inbox),
            ["registered_model.created", "model_version.created", "prompt.created", "prompt_version.created", "prompt_alias.created", "prompt_tag.set"]);
        var versions = new ModelVersionClient(app.Http, project, maintainer);
        var name = "greeting_" + Guid.NewGuid().ToString("N")[..6];

        await versions.Models.CreateAsync(name, null, ("mlflow.prompt.is_prompt", "true"), ("team", "nlp"));
        await versions.CreateAsync(name, "prompt-template", null, ("mlflow.prompt.is_prompt", "true"), ("mlflow.prompt.text", "Hello {{name}}!"), ("lang", "en"));
        await (await versions.SendAsync(HttpMethod.Post, "registered-models/alias", new { name, alias = "production", version = "1" })).ShouldBeOkAsync();
        await (await versions.SendAsync(HttpMethod.Post, "registered-models/set-tag", new { name, key = "owner", value = "ana" })).ShouldBeOkAsync();

        var received = await Receiver.WaitForAsync(inbox, 4, Patience);
        var bodies = received.Select(r => Without(r.Json, "timestamp")).ToList();
        Assert.Contains(bodies, b => JsonNode.DeepEquals(b, Event("prompt.created", new JsonObject
            { ["name"] = name, ["tags"] = new JsonObject { ["team"] = "nlp" }, ["description"] = "" })));
        Assert.Contains(bodies, b => JsonNode.DeepEquals(b, Event("prompt_version.created", new JsonObject
            { ["name"] = name, ["version"] = "1", ["template"] = "Hello {{name}}!", ["tags"] = new JsonObject { ["lang"] = "en" }, ["description"] = null })));
        Assert.Contains(bodies, b => JsonNode.DeepEquals(b, Event("prompt_alias.created", new JsonObject { ["name"] = name, ["alias"] = "production", ["version"] = "1" })));
        Assert.Contains(bodies, b => JsonNode.DeepEquals(b, Event("prompt_tag.set", new JsonObject { ["name"] = name, ["key"] = "owner", ["value"] = "ana" })));
        await Task.Delay(500);
        Assert.Equal(4, Receiver.Received(inbox).Count);
    }

    [Fact]
    public async Task A_receiver_that_fails_twice_gets_the_same_delivery_id_three_times()
    {
        var (project, maintainer) = await ProjectAsync();
        var inbox = Receiver.Inbox((_, before) => before < 2 ? new Answer(500, "not now") : new Answer());
        var webhook = await app.Http.CreateWebhookAsync(project, maintainer, Receiver.Url(inbox), ["registered_model.created"], Secret);

        await new RegisteredModelClient(app.Http, project, maintainer).CreateAsync("retried");

        var received = await Receiver.WaitForAsync(inbox, 3, Patience);
        Assert.Equal(new[] { 500, 500, 200 }, received.Select(r => r.Status));
        Assert.Single(received.Select(r => r.DeliveryId).Distinct());
        Assert.Single(received.Select(r => r.Body).Distinct());
        Assert.All(received, r => Assert.True(MlflowSignature.Verify(r, Secret)));
        var delivery = await DeliveryAsync(project, maintainer, (string)webhook["webhook_id"]!, d => (string?)d["state"] == "DELIVERED");
        Assert.Equal(received[0].DeliveryId, (string?)delivery["delivery_id"]);
        Assert.Equal(3, (int)delivery["attempts"]!);
        Assert.Equal(new[] { 500, 500, 200 }, delivery["attempt_history"]!.AsArray().Select(a => (int)a!["response_status"]!));
        Assert.True(received[1].At - received[0].At >= TimeSpan.FromMilliseconds(400), "retried before any back-off");
    }

    [Fact]
    public async Task A_429_with_Retry_After_is_retried_no_sooner_than_asked()
    {
        var (project, maintainer) = await ProjectAsync();
        var inbox = Receiver.Inbox((_, before) => before == 0 ? new Answer(429, "slow down", RetryAfter: "3") : new Answer());
        await app.Http.CreateWebhookAsync(project, maintainer, Receiver.Url(inbox), ["registered_model.created"]);

        await new RegisteredModelClient(app.Http, project, maintainer).CreateAsync("throttled");

        var received = await Receiver.WaitForAsync(inbox, 2, Patience);
        Assert.Equal(received[0].DeliveryId, received[1].DeliveryId);
        Assert.True(received[1].At - received[0].At >= TimeSpan.FromSeconds(2.9), $"retried after {(received[1].At - received[0].At).TotalSeconds:F1} s");
    }

    [Fact]
    public async Task A_delivery_can_be_redelivered_with_its_delivery_id()
    {
        var (project, maintainer) = await ProjectAsync();
        var inbox = Receiver.Inbox();
        var webhookId = (string)(await app.Http.CreateWebhookAsync(project, maintainer, Receiver.Url(inbox), ["registered_model.created"]))["webhook_id"]!;
        await new RegisteredModelClient(app.Http, project, maintainer).CreateAsync("again");
        var first = (await Receiver.WaitForAsync(inbox, 1, Patience))[0];
        await DeliveryAsync(project, maintainer, webhookId, d => (string?)d["state"] == "DELIVERED");

        var redelivered = await (await app.Http.SendWebhookAsync(HttpMethod.Post, project, $"webhooks/{webhookId}/deliveries/{first.DeliveryId}/redeliver", null, maintainer)).ShouldBeOkAsync();

        Assert.Equal("PENDING", (string?)redelivered["delivery"]!["state"]);
        var both = await Receiver.WaitForAsync(inbox, 2, Patience);
        Assert.Equal(first.DeliveryId, both[1].DeliveryId);
        Assert.Equal(first.Body, both[1].Body);
        Assert.Equal(2, (int)(await DeliveryAsync(project, maintainer, webhookId, d => (string?)d["state"] == "DELIVERED" && (int)d["attempts"]! == 2))["attempts"]!);
    }

    [Fact]
    public async Task A_disabled_webhook_gets_nothing_and_stays_disabled_through_an_update_without_a_status()
    {
        var (project, maintainer) = await ProjectAsync();
        var inbox = Receiver.Inbox();
        var webhookId = (string)(await app.Http.CreateWebhookAsync(project, maintainer, Receiver.Url(inbox), ["registered_model.created"]))["webhook_id"]!;
        await (await app.Http.SendWebhookAsync(HttpMethod.Patch, project, $"webhooks/{webhookId}", new JsonObject { ["status"] = "DISABLED" }, maintainer)).ShouldBeOkAsync();

        var updated = await (await app.Http.SendWebhookAsync(HttpMethod.Patch, project, $"webhooks/{webhookId}", new JsonObject { ["description"] = "paused" }, maintainer)).ShouldBeOkAsync();
        await new RegisteredModelClient(app.Http, project, maintainer).CreateAsync("unheard");

        Assert.Equal("DISABLED", (string?)updated["webhook"]!["status"]);
        Assert.Empty(await app.Http.DeliveriesAsync(project, webhookId, maintainer));
        await Task.Delay(1000);
        Assert.Empty(Receiver.Received(inbox));
    }

    [Fact]
    public async Task A_webhook_whose_deliveries_fail_for_a_day_is_disabled_and_says_why()
    {
        var (project, maintainer) = await ProjectAsync();
        var inbox = Receiver.Inbox((_, _) => new Answer(503, "down"));
        var webhookId = (string)(await app.Http.CreateWebhookAsync(project, maintainer, Receiver.Url(inbox), ["registered_model.created"]))["webhook_id"]!;
        // The day of failures already behind it: its streak began 25 hours ago.
        await SqlAsync($"UPDATE webhooks SET failing_since = now() - interval '25 hours' WHERE id = '{webhookId}'");

        await new RegisteredModelClient(app.Http, project, maintainer).CreateAsync("unlucky");

        await Receiver.WaitAsync(inbox, r => r.Count >= 1, Patience);
        var webhook = await WaitForAsync(async () =>
            (await (await app.Http.GetAsync(project, $"webhooks/{webhookId}", maintainer)).ShouldBeOkAsync())["webhook"]!.AsObject(),
            w => (string?)w["status"] == "DISABLED");
        Assert.StartsWith("Disabled by Registry: every delivery failed from ", (string?)webhook["status_reason"]);
        Assert.Contains("503", (string?)webhook["status_reason"]);
        await DeliveryAsync(project, maintainer, webhookId, d => (string?)d["state"] == "FAILED");

        var reenabled = await (await app.Http.SendWebhookAsync(HttpMethod.Patch, project, $"webhooks/{webhookId}", new JsonObject { ["status"] = "ACTIVE" }, maintainer)).ShouldBeOkAsync();
        Assert.Null(reenabled["webhook"]!["status_reason"]);
        await app.Http.SendWebhookAsync(HttpMethod.Delete, project, $"webhooks/{webhookId}", null, maintainer);
    }

    [Fact]
    public async Task A_delivery_still_failing_when_its_day_is_over_fails_for_good()
    {
        var (project, maintainer) = await ProjectAsync();
        var release = new TaskCompletionSource();
        var inbox = Receiver.Inbox((_, before) => new Answer(500, "broken", Hold: before == 0 ? release.Task : null));
        var webhookId = (string)(await app.Http.CreateWebhookAsync(project, maintainer, Receiver.Url(inbox), ["registered_model.created"]))["webhook_id"]!;
        await new RegisteredModelClient(app.Http, project, maintainer).CreateAsync("doomed");

        await WaitForAsync(() => SqlAsync($"SELECT count(*) FROM webhook_deliveries WHERE webhook_id = '{webhookId}' AND attempts = 1"), n => (long)n! == 1);
        await SqlAsync($"UPDATE webhook_deliveries SET give_up_at = now() - interval '1 second' WHERE webhook_id = '{webhookId}'");
        release.SetResult();

        var delivery = await DeliveryAsync(project, maintainer, webhookId, d => (string?)d["state"] == "FAILED");
        Assert.Equal(2, (int)delivery["attempts"]!);
        Assert.Equal(500, (int)delivery["last_response_status"]!);
        await Task.Delay(2500);
        Assert.Equal(2, Receiver.Received(inbox).Count);
    }

    [Fact]
    public async Task Test_sends_the_example_payload_and_reports_what_the_receiver_answered()
    {
        var (project, maintainer) = await ProjectAsync();
        var inbox = Receiver.Inbox((request, _) => new Answer(request.Json["entity"]!.ToString() == "model_version_alias" ? 418 : 200, "got it"));
        var webhookId = (string)(await app.Http.CreateWebhookAsync(project, maintainer, Receiver.Url(inbox), ["model_version.created", "registered_model.created"], Secret))["webhook_id"]!;

        var first = await (await app.Http.SendWebhookAsync(HttpMethod.Post, project, $"webhooks/{webhookId}/test", new JsonObject(), maintainer)).ShouldBeOkAsync();
        var chosen = await (await app.Http.SendWebhookAsync(HttpMethod.Post, project, $"webhooks/{webhookId}/test",
            new JsonObject { ["event"] = new JsonObject { ["entity"] = "MODEL_VERSION_ALIAS", ["action"] = "DELETED" } }, maintainer)).ShouldBeOkAsync();

        Assert.True(JsonNode.DeepEquals(new JsonObject { ["success"] = true, ["response_status"] = 200, ["response_body"] = "got it" }, first["result"]));
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["success"] = false, ["response_status"] = 418, ["response_body"] = "got it" }, chosen["result"]));
        var received = Receiver.Received(inbox);
        Assert.True(JsonNode.DeepEquals(Event("model_version.created", new JsonObject
        {
            ["name"] = "example_model", ["version"] = "1", ["source"] = "models:/123", ["run_id"] = "abcd1234abcd5678",
            ["tags"] = new JsonObject { ["example_key"] = "example_value" }, ["description"] = "An example model version",
        }), Without(received[0].Json, "timestamp")));
        Assert.True(JsonNode.DeepEquals(Event("model_version_alias.deleted", new JsonObject { ["name"] = "example_model", ["alias"] = "example_alias" }),
            Without(received[1].Json, "timestamp")));
        Assert.All(received, r => Assert.True(MlflowSignature.Verify(r, Secret)));
        Assert.Empty(await app.Http.DeliveriesAsync(project, webhookId, maintainer));
    }

    [Fact]
    public async Task Test_of_an_unreachable_receiver_says_why_it_failed()
    {
        var (project, maintainer) = await ProjectAsync();
        using var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var webhookId = (string)(await app.Http.CreateWebhookAsync(project, maintainer, $"http://127.0.0.1:{port}/nobody", ["registered_model.created"]))["webhook_id"]!;

        var result = (await (await app.Http.SendWebhookAsync(HttpMethod.Post, project, $"webhooks/{webhookId}/test", new JsonObject(), maintainer)).ShouldBeOkAsync())["result"]!;

        Assert.False((bool)result["success"]!);
        Assert.Null(result["response_status"]);
        Assert.StartsWith("Failed to test webhook: ", (string?)result["error_message"]);
    }

    [Fact]
    public async Task A_write_that_fails_queues_no_event()
    {
        var (project, maintainer) = await ProjectAsync();
        var inbox = Receiver.Inbox();
        var webhookId = (string)(await app.Http.CreateWebhookAsync(project, maintainer, Receiver.Url(inbox), ["registered_model.created", "model_version.created"]))["webhook_id"]!;
        var versions = new ModelVersionClient(app.Http, project, maintainer);
        await versions.Models.CreateAsync("once");

        await (await versions.Models.CreateRawAsync("once")).ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "RESOURCE_ALREADY_EXISTS");
        await (await versions.CreateRawAsync("missing", Source)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");

        Assert.Equal(1L, await SqlAsync(
            $"""
            SELECT (SELECT count(*) FROM webhook_events WHERE '{webhookId}' = ANY (webhook_ids))
                 + (SELECT count(*) FROM webhook_deliveries WHERE webhook_id = '{webhookId}')
            """));
        await Receiver.WaitForAsync(inbox, 1, Patience);
    }

    [Fact]
    public async Task Every_webhook_subscribed_to_an_event_gets_it_once_with_a_delivery_id_of_its_own()
    {
        var (project, maintainer) = await ProjectAsync();
        var inboxes = Enumerable.Range(0, 3).Select(_ => Receiver.Inbox()).ToArray();
        foreach (var inbox in inboxes)
        {
            await app.Http.CreateWebhookAsync(project, maintainer, Receiver.Url(inbox), ["registered_model.created"]);
        }
        var elsewhere = Receiver.Inbox();
        await app.Http.CreateWebhookAsync(project, maintainer, Receiver.Url(elsewhere), ["model_version.created"]);

        await new RegisteredModelClient(app.Http, project, maintainer).CreateAsync("fanned-out");

        var received = new List<ReceivedRequest>();
        foreach (var inbox in inboxes)
        {
            received.AddRange(await Receiver.WaitForAsync(inbox, 1, Patience));
        }
        await Task.Delay(TimeSpan.FromSeconds(1)); // time enough for a duplicate or a stray delivery to show up
        Assert.All(inboxes, inbox => Assert.Single(Receiver.Received(inbox)));
        Assert.Equal(3, received.Select(r => r.DeliveryId).Distinct().Count());
        Assert.Single(received.Select(r => r.Body).Distinct());
        Assert.Empty(Receiver.Received(elsewhere));
    }

    [Fact]
    public async Task A_delivery_queued_the_way_builds_before_the_event_outbox_did_is_still_delivered()
    {
        // During a rolling upgrade the previous build's replicas write one delivery row per webhook themselves.
        var (project, maintainer) = await ProjectAsync();
        var inbox = Receiver.Inbox();
        var webhookId = (string)(await app.Http.CreateWebhookAsync(project, maintainer, Receiver.Url(inbox), ["registered_model.created"], Secret))["webhook_id"]!;

        await SqlAsync(
            $$"""
            INSERT INTO webhook_deliveries (webhook_id, project_id, event, payload)
            VALUES ('{{webhookId}}', {{project}}, 'registered_model.created', '{"name": "old-build", "tags": {}, "description": ""}')
            """);

        var received = (await Receiver.WaitForAsync(inbox, 1, Patience))[0];
        Assert.Equal("old-build", (string?)received.Json["data"]!["name"]);
        Assert.True(MlflowSignature.Verify(received, Secret));
    }

    private static JsonObject Event(string @event, JsonObject data) => new()
    {
        ["entity"] = @event.Split('.')[0],
        ["action"] = @event.Split('.')[1],
        ["data"] = data,
    };

    private static JsonObject Without(JsonObject body, string key)
    {
        var copy = body.DeepClone().AsObject();
        copy.Remove(key);
        return copy;
    }

    private Task<JsonObject> DeliveryAsync(long project, TestToken token, string webhookId, Func<JsonObject, bool> done) =>
        WaitForAsync(async () => (await app.Http.DeliveriesAsync(project, webhookId, token)).FirstOrDefault()?.AsObject() ?? [], d => d.Count > 0 && done(d));

    private static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }
            Assert.True(DateTime.UtcNow < deadline, $"still {value} after {Patience.TotalSeconds} s");
            await Task.Delay(100);
        }
    }

    private async Task<object?> SqlAsync(string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(app.ConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        return await command.ExecuteScalarAsync();
    }
}
