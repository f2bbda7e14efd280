using Microsoft.Playwright;
using Npgsql;
using Registry.Tests.Admin;
using Registry.Tests.Infrastructure;
using Registry.Tests.Webhooks;
using static Registry.Tests.Infrastructure.MlflowHttp;

namespace Registry.Tests.Web;

/// <summary>
/// A webhook's page beyond looking: editing it (a blank secret keeps the old one), each delivery's attempts, redelivery
/// with the same delivery id, and why the registry disabled it. Each test has a project of its own.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class WebhookEditingTests(RegistryAppFixture app, WebBrowser browser, WebhookReceiverFixture receivers)
    : WebTest(app, browser), IClassFixture<WebhookReceiverFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private WebhookReceiver Receiver => receivers.Receiver;
    private AdminHttp Admin => new(App.Http, new TestToken(App.BootstrapToken));

    private async Task<(long Project, Person Maintainer)> ProjectAsync()
    {
        var project = await Admin.ProjectAsync();
        return (project, await Admin.PersonAsync(project, 40));
    }

    [Fact]
    public async Task A_maintainer_edits_every_field_a_blank_secret_keeps_the_old_one_and_a_new_secret_replaces_it()
    {
        var (project, maintainer) = await ProjectAsync();
        var (first, second) = (Receiver.Inbox(), Receiver.Inbox());
        var webhookId = (string)(await App.Http.CreateWebhookAsync(project, maintainer.Token, Receiver.Url(first), ["registered_model.created"], "old-secret", name: "before"))["webhook_id"]!;
        await SignInAsync(maintainer.Token);
        await OpenAsync($"/projects/{project}/webhooks/{webhookId}");
        await Assertions.Expect(Page.Locator("#edit-name")).ToHaveValueAsync("before");
        await Assertions.Expect(Page.Locator("input[name=events][value='registered_model.created']")).ToBeCheckedAsync();

        await Page.FillAsync("#edit-name", "after");
        await Page.FillAsync("#edit-description", "Deploys the champion");
        await Page.FillAsync("#edit-url", Receiver.Url(second));
        await Page.Locator("input[name=events][value='registered_model.created']").UncheckAsync();
        await Page.Locator("input[name=events][value='model_version.created']").CheckAsync();
        await Page.SelectOptionAsync("#edit-status", "DISABLED");
        await Page.Locator("fluent-button", new() { HasText = "Save changes" }).ClickAsync();
        await Assertions.Expect(Page.Locator("h1")).ToHaveTextAsync("after");
        await Assertions.Expect(Page.Locator("[data-testid=webhook-status]")).ToHaveTextAsync("DISABLED");
        await AssertAccessibleAsync("webhook edit");

        var saved = await WebhookAsync(project, webhookId, maintainer.Token);
        Assert.Equal(("after", "Deploys the champion", Receiver.Url(second), "DISABLED"),
            ((string)saved["name"]!, (string)saved["description"]!, (string)saved["url"]!, (string)saved["status"]!));
        Assert.Equal("MODEL_VERSION.CREATED", $"{saved["events"]![0]!["entity"]}.{saved["events"]![0]!["action"]}");
        Assert.Single(saved["events"]!.AsArray());

        // Active again, with the secret left blank: deliveries are still signed with the old secret.
        await FluentDefinedAsync();
        await Page.SelectOptionAsync("#edit-status", "ACTIVE");
        await Page.Locator("fluent-button", new() { HasText = "Save changes" }).ClickAsync();
        await Assertions.Expect(Page.Locator("[data-testid=webhook-status]")).ToHaveTextAsync("ACTIVE");
        var versions = new ModelVersionClient(App.Http, project, maintainer.Token);
        var model = UniqueName("edited");
        await versions.Models.CreateAsync(model, null);
        await versions.CreateAsync(model);
        var signedWithOld = Assert.Single(await Receiver.WaitForAsync(second, 1, Patience));
        Assert.True(MlflowSignature.Verify(signedWithOld, "old-secret"));
        Assert.Empty(Receiver.Received(first));

        await FluentDefinedAsync();
        await Page.FillAsync("#edit-secret", "new-secret");
        await Page.Locator("fluent-button", new() { HasText = "Save changes" }).ClickAsync();
        await Page.WaitForURLAsync(url => url.EndsWith($"/webhooks/{webhookId}", StringComparison.Ordinal));
        Assert.DoesNotContain("new-secret", await Page.ContentAsync(), StringComparison.Ordinal);
        await versions.CreateAsync(model);
        var signedWithNew = (await Receiver.WaitForAsync(second, 2, Patience))[1];
        Assert.True(MlflowSignature.Verify(signedWithNew, "new-secret"));
        Assert.False(MlflowSignature.Verify(signedWithNew, "old-secret"));
    }

    [Fact]
    public async Task An_edit_the_API_refuses_shows_its_message_and_keeps_what_was_typed()
    {
        var (project, maintainer) = await ProjectAsync();
        var webhookId = (string)(await App.Http.CreateWebhookAsync(project, maintainer.Token, Receiver.Url(Receiver.Inbox()), ["registered_model.created"], name: "kept"))["webhook_id"]!;
        await SignInAsync(maintainer.Token);
        await OpenAsync($"/projects/{project}/webhooks/{webhookId}");

        await Page.FillAsync("#edit-name", "renamed");
        await Page.FillAsync("#edit-url", "ftp://ci.example.com/hook");
        await Page.Locator("fluent-button", new() { HasText = "Save changes" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#edit-heading ~ form .error")).ToContainTextAsync("INVALID_PARAMETER_VALUE");
        await Assertions.Expect(Page.Locator("#edit-url")).ToHaveValueAsync("ftp://ci.example.com/hook");
        await Assertions.Expect(Page.Locator("#edit-name")).ToHaveValueAsync("renamed");
        Assert.Equal("kept", (string)(await WebhookAsync(project, webhookId, maintainer.Token))["name"]!);

        // The UI itself refuses what the API would silently ignore: no event at all.
        await FluentDefinedAsync();
        await Page.Locator("input[name=events][value='registered_model.created']").UncheckAsync();
        await Page.FillAsync("#edit-url", Receiver.Url(Receiver.Inbox()));
        await Page.Locator("fluent-button", new() { HasText = "Save changes" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#edit-heading ~ form .error")).ToContainTextAsync("Choose at least one event.");
        Assert.Equal("kept", (string)(await WebhookAsync(project, webhookId, maintainer.Token))["name"]!);
    }

    [Fact]
    public async Task The_attempt_history_shows_a_failure_then_a_success_and_redeliver_sends_the_same_delivery_id_again()
    {
        var (project, maintainer) = await ProjectAsync();
        var inbox = Receiver.Inbox((_, before) => before == 0 ? new Answer(503, "busy") : new Answer());
        var webhookId = (string)(await App.Http.CreateWebhookAsync(project, maintainer.Token, Receiver.Url(inbox), ["registered_model.created"], name: "flaky"))["webhook_id"]!;
        await new ModelVersionClient(App.Http, project, maintainer.Token).Models.CreateAsync(UniqueName("retried"), null);
        var received = await Receiver.WaitForAsync(inbox, 2, Patience);
        var deliveryId = received[0].DeliveryId;
        await WaitUntilAsync(project, webhookId, maintainer.Token, d => (string?)d["state"] == "DELIVERED" && (int)d["attempts"]! == 2);
        await SignInAsync(maintainer.Token);

        await OpenAsync($"/projects/{project}/webhooks/{webhookId}");
        var row = Page.Locator($"[data-testid=deliveries] tbody tr[data-delivery-id='{deliveryId}']");
        await Assertions.Expect(row).ToContainTextAsync("registered_model.created");
        await Assertions.Expect(row.Locator("td").Nth(1)).ToHaveTextAsync("DELIVERED");
        await Assertions.Expect(row.Locator("td").Nth(2)).ToHaveTextAsync("2");
        await row.Locator("[data-testid=attempts] summary").ClickAsync();
        var attempts = row.Locator("ol.attempts li");
        await Assertions.Expect(attempts).ToHaveCountAsync(2);
        await Assertions.Expect(attempts.Nth(0)).ToContainTextAsync("HTTP 503");
        await Assertions.Expect(attempts.Nth(0)).ToContainTextAsync(" ms");
        await Assertions.Expect(attempts.Nth(1)).ToContainTextAsync("HTTP 200");
        await ScreenshotAsync("webhook-attempts");
        await AssertAccessibleAsync("webhook attempts");

        await FluentDefinedAsync();
        await row.Locator("fluent-button", new() { HasText = "Redeliver" }).ClickAsync();
        await Assertions.Expect(Page.Locator("[data-testid=redelivered]")).ToContainTextAsync(deliveryId);
        var again = (await Receiver.WaitForAsync(inbox, 3, Patience))[2];
        Assert.Equal(deliveryId, again.DeliveryId);
        Assert.Equal(received[1].Body, again.Body);
        await WaitUntilAsync(project, webhookId, maintainer.Token, d => (string?)d["state"] == "DELIVERED" && (int)d["attempts"]! == 3);
        await OpenAsync($"/projects/{project}/webhooks/{webhookId}");
        await Assertions.Expect(row.Locator("td").Nth(2)).ToHaveTextAsync("3");
        await Assertions.Expect(row.Locator("ol.attempts li")).ToHaveCountAsync(3);
    }

    [Fact]
    public async Task A_webhook_the_registry_disabled_shows_why_and_offers_no_redelivery_until_it_is_active()
    {
        var (project, maintainer) = await ProjectAsync();
        var inbox = Receiver.Inbox();
        var webhookId = (string)(await App.Http.CreateWebhookAsync(project, maintainer.Token, Receiver.Url(inbox), ["registered_model.created"], name: "gave-up"))["webhook_id"]!;
        await new ModelVersionClient(App.Http, project, maintainer.Token).Models.CreateAsync(UniqueName("before-disabling"), null);
        await Receiver.WaitForAsync(inbox, 1, Patience);
        const string reason = "Failing since 2026-11-26 09:00 UTC: the receiver answered 500.";
        // What the dispatcher writes after a day of failures, without waiting a day.
        await using (var connection = new NpgsqlConnection(App.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("UPDATE webhooks SET status = 'DISABLED', status_reason = $1 WHERE id = $2", connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = reason });
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = Guid.Parse(webhookId) });
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }
        await SignInAsync(maintainer.Token);

        await OpenAsync($"/projects/{project}/webhooks/{webhookId}");
        await Assertions.Expect(Page.Locator("[data-testid=status-reason]")).ToContainTextAsync(reason);
        await Assertions.Expect(Page.Locator("[data-testid=deliveries] tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(Page.Locator("fluent-button", new() { HasText = "Redeliver" })).ToHaveCountAsync(0);
        await Assertions.Expect(Page.Locator("main")).ToContainTextAsync("Set the webhook's status to ACTIVE to redeliver.");

        await FluentDefinedAsync();
        await Page.SelectOptionAsync("#edit-status", "ACTIVE");
        await Page.Locator("fluent-button", new() { HasText = "Save changes" }).ClickAsync();
        await Assertions.Expect(Page.Locator("[data-testid=webhook-status]")).ToHaveTextAsync("ACTIVE");
        await Assertions.Expect(Page.Locator("[data-testid=status-reason]")).ToHaveCountAsync(0);
        await Assertions.Expect(Page.Locator("fluent-button", new() { HasText = "Redeliver" })).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task Deliveries_are_paged_fifty_at_a_time_newest_first()
    {
        var (project, maintainer) = await ProjectAsync();
        var inbox = Receiver.Inbox();
        var webhookId = (string)(await App.Http.CreateWebhookAsync(project, maintainer.Token, Receiver.Url(inbox), ["registered_model.created"], name: "busy"))["webhook_id"]!;
        var models = new ModelVersionClient(App.Http, project, maintainer.Token).Models;
        for (var i = 0; i < 51; i++)
        {
            await models.CreateAsync(UniqueName($"paged{i}"), null);
        }
        await Receiver.WaitForAsync(inbox, 51, Patience);
        var all = await (await App.Http.GetAsync(project, $"webhooks/{webhookId}/deliveries?max_results=100", maintainer.Token)).ShouldBeOkAsync();
        var oldest = (string)all["deliveries"]!.AsArray()[^1]!["delivery_id"]!;
        await SignInAsync(maintainer.Token);

        await OpenAsync($"/projects/{project}/webhooks/{webhookId}");
        var rows = Page.Locator("[data-testid=deliveries] tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(50);
        await Assertions.Expect(Page.Locator($"tr[data-delivery-id='{oldest}']")).ToHaveCountAsync(0);
        await Page.Locator("a[rel=next]", new() { HasText = "Older deliveries" }).ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToHaveAttributeAsync("data-delivery-id", oldest);
        await Assertions.Expect(Page.Locator("a[rel=next]")).ToHaveCountAsync(0);
        await Page.Locator("a", new() { HasText = "Newest deliveries" }).ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(50);
    }

    private async Task<JsonObject> WebhookAsync(long project, string webhookId, TestToken token) =>
        (await (await App.Http.GetAsync(project, $"webhooks/{webhookId}", token)).ShouldBeOkAsync())["webhook"]!.AsObject();

    private async Task WaitUntilAsync(long project, string webhookId, TestToken token, Func<JsonNode, bool> done)
    {
        var deadline = DateTime.UtcNow + Patience;
        while ((await App.Http.DeliveriesAsync(project, webhookId, token)).FirstOrDefault() is not { } delivery || !done(delivery))
        {
            Assert.True(DateTime.UtcNow < deadline, "the delivery did not reach the expected state in time");
            await Task.Delay(100);
        }
    }
}
