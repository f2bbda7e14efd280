using Registry.Tests.Admin;
using Registry.Tests.Infrastructure;
using Registry.Tests.Webhooks;

namespace Registry.Tests.Audit;

/// <summary>
/// GitLab's audit events API over the registry's writes: a scripted session leaves exactly its writes, each naming who
/// (user, token, address), what (target, before/after, never a secret), when and the request id; a failed write leaves
/// nothing. Each test has a project of its own.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class AuditTrailTests(RegistryAppFixture app)
{
    private AdminHttp Admin => new(app.Http, new TestToken(app.BootstrapToken));

    [Fact]
    public async Task A_scripted_session_leaves_exactly_its_writes_with_who_what_when_and_the_request_id()
    {
        var project = await Admin.ProjectAsync();
        var maintainer = await Admin.PersonAsync(project, 40);
        var versions = new ModelVersionClient(app.Http, project, maintainer.Token);
        var name = MlflowHttp.UniqueName("audited");
        var requestIds = new List<string>();
        async Task<JsonObject> Ok(HttpResponseMessage response)
        {
            requestIds.Add(Assert.Single(response.Headers.GetValues("X-Request-Id")));
            return await response.ShouldBeOkAsync();
        }
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        await Ok(await versions.SendAsync(HttpMethod.Post, "registered-models/create", new { name, description = "first", tags = new[] { new { key = "team", value = "ml" } } }));
        await Ok(await versions.SendAsync(HttpMethod.Patch, "registered-models/update", new { name, description = "second" }));
        await Ok(await versions.SendAsync(HttpMethod.Post, "model-versions/create", new { name, source = "mlflow-artifacts:/1/a/artifacts/model" }));
        await Ok(await versions.SendAsync(HttpMethod.Post, "model-versions/set-tag", new { name, version = "1", key = "approved", value = "yes" }));
        await Ok(await versions.SendAsync(HttpMethod.Post, "registered-models/alias", new { name, alias = "champion", version = "1" }));
        await Ok(await versions.SendAsync(HttpMethod.Post, "model-versions/transition-stage", new { name, version = "1", stage = "Production", archive_existing_versions = false }));
        var webhook = (await Ok(await app.Http.SendWebhookAsync(HttpMethod.Post, project, "webhooks", new JsonObject
        {
            ["name"] = "deploy", ["url"] = "https://ci.example.com/hook", ["events"] = WebhookCalls.Events("model_version_alias.created"), ["secret"] = "s3cr3t-value",
        }, maintainer.Token)))["webhook"]!;
        var webhookId = (string)webhook["webhook_id"]!;
        await Ok(await app.Http.SendWebhookAsync(HttpMethod.Patch, project, $"webhooks/{webhookId}", new JsonObject { ["status"] = "DISABLED", ["secret"] = "an0ther-s3cret" }, maintainer.Token));
        await Ok(await app.Http.SendWebhookAsync(HttpMethod.Delete, project, $"webhooks/{webhookId}", null, maintainer.Token));
        // A write that fails records nothing.
        var taken = await versions.SendAsync(HttpMethod.Post, "registered-models/create", new { name });
        await taken.ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "RESOURCE_ALREADY_EXISTS");

        var response = await Admin.SendAsync(HttpMethod.Get, $"projects/{project}/audit_events?per_page=100", maintainer.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Link"));
        var all = (await response.Content.ReadFromJsonAsync<JsonArray>())!.Select(e => e!.AsObject()).Reverse().ToList();
        // The administrator made the project and the membership; the rest is the session's.
        Assert.Equal(["project_created", "member_access_level_set"], all[..2].Select(e => (string)e["event_name"]!));
        var events = all[2..];

        Assert.Equal(
            ["registered_model_created", "registered_model_updated", "model_version_created", "model_version_tag_set",
             "registered_model_alias_set", "model_version_stage_transitioned", "webhook_created", "webhook_updated", "webhook_deleted"],
            events.Select(e => (string)e["event_name"]!));
        Assert.Equal(requestIds, events.Select(e => (string)e["details"]!["request_id"]!));
        Assert.All(events, e =>
        {
            Assert.Equal(maintainer.Id, (long)e["author_id"]!);
            Assert.Equal(project, (long)e["entity_id"]!);
            Assert.Equal("Project", (string)e["entity_type"]!);
            var details = e["details"]!;
            Assert.Equal(maintainer.Username, (string)details["author_name"]!);
            Assert.Equal(maintainer.TokenId, (long)details["token_id"]!);
            Assert.Equal("api", (string)details["via"]!);
            Assert.False(string.IsNullOrEmpty((string?)details["ip_address"]));
            Assert.InRange(DateTimeOffset.Parse((string)e["created_at"]!, System.Globalization.CultureInfo.InvariantCulture), before, DateTimeOffset.UtcNow.AddSeconds(1));
            Assert.DoesNotContain("s3cr3t", e.ToJsonString(), StringComparison.Ordinal);
            Assert.DoesNotContain("an0ther", e.ToJsonString(), StringComparison.Ordinal);
        });

        Assert.Equal(name, (string)events[0]["details"]!["target_details"]!);
        Assert.Equal("RegisteredModel", (string)events[0]["details"]!["target_type"]!);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"name": {"from": null, "to": "NAME"}, "description": {"from": null, "to": "first"}, "tags": {"from": null, "to": {"team": "ml"}}}""".Replace("NAME", name)),
            events[0]["details"]!["changes"]), events[0].ToJsonString());
        // GitLab's single-field form when one field changed.
        Assert.Equal("description", (string)events[1]["details"]!["change"]!);
        Assert.Equal("first", (string)events[1]["details"]!["from"]!);
        Assert.Equal("second", (string)events[1]["details"]!["to"]!);
        Assert.Equal($"{name}/1", (string)events[2]["details"]!["target_details"]!);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"tags.approved": {"from": null, "to": "yes"}}"""), events[3]["details"]!["changes"]), events[3].ToJsonString());
        Assert.Equal("[FILTERED]", (string)events[6]["details"]!["changes"]!["secret"]!["to"]!);
        Assert.Equal("https://ci.example.com/hook", (string)events[6]["details"]!["changes"]!["url"]!["to"]!);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"from": "ACTIVE", "to": "DISABLED"}"""), events[7]["details"]!["changes"]!["status"]), events[7].ToJsonString());

        // The same events through the administrators' listing, filtered to this project.
        var instance = await Admin.ListAsync($"audit_events?entity_type=Project&entity_id={project}&per_page=100", Admin.Admin);
        Assert.Equal(all.Select(e => (long)e["id"]!).Reverse(), instance.Select(e => (long)e!["id"]!));
        var byMaintainer = await Admin.ListAsync($"projects/{project}/audit_events?author_id={maintainer.Id}&per_page=100", maintainer.Token);
        Assert.Equal(events.Select(e => (long)e["id"]!).Reverse(), byMaintainer.Select(e => (long)e!["id"]!));
        var one = await Admin.OkAsync(HttpMethod.Get, $"projects/{project}/audit_events/{(long)events[4]["id"]!}", maintainer.Token);
        Assert.True(JsonNode.DeepEquals(events[4], one));
    }

    [Fact]
    public async Task Account_and_administration_changes_are_audited_without_any_token_value()
    {
        var me = await Admin.OkAsync(HttpMethod.Get, "user", Admin.Admin);
        var username = MlflowHttp.UniqueName("audited-user");
        var user = await Admin.OkAsync(HttpMethod.Post, "users", Admin.Admin, new { username });
        var userId = (long)user["id"]!;
        var project = await Admin.ProjectAsync();
        await Admin.OkAsync(HttpMethod.Post, $"projects/{project}/members", Admin.Admin, new { user_id = userId, access_level = 30 });
        await Admin.OkAsync(HttpMethod.Put, $"projects/{project}/members/{userId}", Admin.Admin, new { access_level = 40 });
        var token = await Admin.OkAsync(HttpMethod.Post, $"users/{userId}/personal_access_tokens", Admin.Admin, new { name = "ci", scopes = new[] { "api" } });
        var tokenId = (long)token["id"]!;
        var rotated = await Admin.OkAsync(HttpMethod.Post, $"personal_access_tokens/{tokenId}/rotate", new TestToken((string)token["token"]!));
        var rotatedToken = new TestToken((string)rotated["token"]!);
        Assert.Equal(HttpStatusCode.NoContent, (await Admin.SendAsync(HttpMethod.Delete, "personal_access_tokens/self", rotatedToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Admin.SendAsync(HttpMethod.Delete, $"projects/{project}/members/{userId}", Admin.Admin)).StatusCode);

        var account = (await Admin.ListAsync($"audit_events?entity_type=User&entity_id={userId}", Admin.Admin)).Select(e => e!.AsObject()).Reverse().ToList();
        Assert.Equal(["user_created", "personal_access_token_created", "personal_access_token_rotated", "personal_access_token_revoked"],
            account.Select(e => (string)e["event_name"]!));
        Assert.Equal([(long)me["id"]!, (long)me["id"]!, userId, userId], account.Select(e => (long)e["author_id"]!));
        Assert.Equal([tokenId, (long)rotated["id"]!], account[2..].Select(e => (long)e["details"]!["token_id"]!));
        Assert.Equal(username, (string)account[0]["details"]!["entity_path"]!);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""{"from": {{tokenId}}, "to": {{(long)rotated["id"]!}}}"""), account[2]["details"]!["changes"]!["id"]), account[2].ToJsonString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"from": null, "to": ["api"]}"""), account[1]["details"]!["changes"]!["scopes"]), account[1].ToJsonString());
        Assert.All(account, e =>
        {
            Assert.DoesNotContain((string)token["token"]!, e.ToJsonString(), StringComparison.Ordinal);
            Assert.DoesNotContain(rotatedToken.Value, e.ToJsonString(), StringComparison.Ordinal);
            Assert.DoesNotContain("glpat-", e.ToJsonString(), StringComparison.Ordinal);
        });

        var projectEvents = (await Admin.ListAsync($"projects/{project}/audit_events", Admin.Admin)).Select(e => e!.AsObject()).Reverse().ToList();
        Assert.Equal(["project_created", "member_access_level_set", "member_access_level_set", "member_removed"], projectEvents.Select(e => (string)e["event_name"]!));
        Assert.Equal(["30", "40", null], projectEvents[1..].Select(e => e["details"]!["to"]?.ToJsonString()));
        Assert.Equal([null, "30", "40"], projectEvents[1..].Select(e => e["details"]!["from"]?.ToJsonString()));
        Assert.Equal(username, (string)projectEvents[1]["details"]!["target_details"]!);
    }

    [Fact]
    public async Task The_CLI_records_its_changes_as_the_CLI()
    {
        var username = MlflowHttp.UniqueName("cli-audited");

        var created = await Repository.RunAsync("Registry.Api", ["admin", "create-user", username],
            new Dictionary<string, string> { ["ConnectionStrings__registrydb"] = app.ConnectionString });

        Assert.Equal(0, created.ExitCode);
        var user = Assert.Single(await Admin.ListAsync($"users?username={username}", Admin.Admin))!;
        var recorded = Assert.Single(await Admin.ListAsync($"audit_events?entity_type=User&entity_id={(long)user["id"]!}", Admin.Admin))!;
        Assert.Equal("user_created", (string)recorded["event_name"]!);
        Assert.Equal("cli", (string)recorded["details"]!["via"]!);
        Assert.StartsWith("cli (", (string)recorded["details"]!["author_name"]!, StringComparison.Ordinal);
        Assert.Null(recorded["author_id"]);
    }

    [Fact]
    public async Task Audit_events_are_keyset_paged_newest_first_and_filtered_by_time_and_author()
    {
        var project = await Admin.ProjectAsync();
        var maintainer = await Admin.PersonAsync(project, 40);
        var developer = await Admin.PersonAsync(project, 30);
        var models = new RegisteredModelClient(app.Http, project, developer.Token);
        for (var i = 0; i < 5; i++)
        {
            await models.CreateAsync($"paged-{i}");
        }
        var middle = DateTimeOffset.UtcNow;
        await Task.Delay(50);
        await new RegisteredModelClient(app.Http, project, maintainer.Token).CreateAsync("paged-by-maintainer");

        var seen = new List<JsonObject>();
        var next = $"/api/v4/projects/{project}/audit_events?per_page=2";
        while (next is not null)
        {
            var page = await app.Http.SendRawAsync(HttpMethod.Get, next, null, maintainer.Token);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            var items = (await page.Content.ReadFromJsonAsync<JsonArray>())!;
            Assert.InRange(items.Count, 1, 2);
            seen.AddRange(items.Select(e => e!.AsObject()));
            next = page.Headers.TryGetValues("Link", out var link)
                ? System.Text.RegularExpressions.Regex.Match(link.Single(), "<([^>]+)>; rel=\"next\"").Groups[1].Value : null;
        }
        // The six models, then the administrator's two memberships and the project itself.
        Assert.Equal(9, seen.Count);
        Assert.Equal(seen.Select(e => (long)e["id"]!).OrderDescending(), seen.Select(e => (long)e["id"]!));
        Assert.Equal(["paged-by-maintainer", "paged-4", "paged-3", "paged-2", "paged-1", "paged-0", developer.Username, maintainer.Username],
            seen[..8].Select(e => (string)e["details"]!["target_details"]!));
        Assert.Equal("project_created", (string)seen[8]["event_name"]!);

        var stamp = Uri.EscapeDataString(middle.ToString("yyyy-MM-dd'T'HH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
        var after = await Admin.ListAsync($"projects/{project}/audit_events?created_after={stamp}", maintainer.Token);
        Assert.Equal(["paged-by-maintainer"], after.Select(e => (string)e!["details"]!["target_details"]!));
        var beforeStamp = await Admin.ListAsync($"projects/{project}/audit_events?created_before={stamp}", maintainer.Token);
        Assert.Equal(8, beforeStamp.Count);
        var byDeveloper = await Admin.ListAsync($"projects/{project}/audit_events?author_id={developer.Id}", maintainer.Token);
        Assert.Equal(5, byDeveloper.Count);
        Assert.All(byDeveloper, e => Assert.Equal(developer.Id, (long)e!["author_id"]!));
    }

    [Fact]
    public async Task Only_Maintainers_see_a_projects_audit_events_and_only_administrators_see_all()
    {
        var project = await Admin.ProjectAsync();
        var developer = await Admin.PersonAsync(project, 30);
        var maintainer = await Admin.PersonAsync(project, 40);
        var outsider = await Admin.PersonAsync(await Admin.ProjectAsync(), 50);

        await (await Admin.SendAsync(HttpMethod.Get, $"projects/{project}/audit_events", developer.Token)).ShouldBeMlflowErrorAsync(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
        await (await Admin.SendAsync(HttpMethod.Get, $"projects/{project}/audit_events", outsider.Token)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        await (await Admin.SendAsync(HttpMethod.Get, $"projects/{project}/audit_events", null)).ShouldBeMlflowErrorAsync(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        await (await Admin.SendAsync(HttpMethod.Get, "audit_events", maintainer.Token)).ShouldBeMlflowErrorAsync(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
        Assert.Equal(HttpStatusCode.OK, (await Admin.SendAsync(HttpMethod.Get, $"projects/{project}/audit_events", maintainer.Token)).StatusCode);
    }

    [Theory]
    [InlineData("per_page=0", "per_page must be between 1 and 100.")]
    [InlineData("per_page=101", "per_page must be between 1 and 100.")]
    [InlineData("per_page=abc", "per_page")]
    [InlineData("created_after=yesterday", "created_after must be an ISO 8601 time")]
    [InlineData("created_before=2026-13-45", "created_before must be an ISO 8601 time")]
    [InlineData("page=2", "Audit events are paged by keyset only")]
    [InlineData("cursor=not-a-cursor", "")]
    [InlineData("author_id=x", "author_id")]
    public async Task Bad_filters_get_a_clear_error_not_a_500(string query, string message)
    {
        var project = await Admin.ProjectAsync();
        var maintainer = await Admin.PersonAsync(project, 40);

        var error = await (await Admin.SendAsync(HttpMethod.Get, $"projects/{project}/audit_events?{query}", maintainer.Token))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        Assert.Contains(message, error, StringComparison.Ordinal);
        await (await Admin.SendAsync(HttpMethod.Get, $"audit_events?entity_type=Group", Admin.Admin))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        await (await Admin.SendAsync(HttpMethod.Get, $"audit_events?entity_id=3", Admin.Admin))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        await (await Admin.SendAsync(HttpMethod.Get, $"projects/{project}/audit_events/999999999", maintainer.Token))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }
}
