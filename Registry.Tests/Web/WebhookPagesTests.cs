using Microsoft.Playwright;
using Registry.Tests.Admin;
using Registry.Tests.Infrastructure;
using Registry.Tests.Webhooks;
using static Registry.Tests.Infrastructure.MlflowHttp;

namespace Registry.Tests.Web;

/// <summary>
/// The Webhooks and Audit log tabs: Maintainers see a project's webhooks, their deliveries and its audit events; below
/// that the tabs are hidden and the API's refusal is the page. Each Maintainer test has a project of its own, so that
/// its webhooks get no other test's events.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class WebhookPagesTests(RegistryAppFixture app, WebBrowser browser, WebhookReceiverFixture receivers)
    : WebTest(app, browser), IClassFixture<WebhookReceiverFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private const string Secret = "whsec-never-shown-in-the-ui";

    private WebhookReceiver Receiver => receivers.Receiver;
    private AdminHttp Admin => new(App.Http, new TestToken(App.BootstrapToken));

    private async Task<(long Project, Person Maintainer)> ProjectAsync()
    {
        var project = await Admin.ProjectAsync();
        return (project, await Admin.PersonAsync(project, 40));
    }

    [Fact]
    public async Task A_maintainer_sees_a_webhook_made_through_the_API_and_its_deliveries_but_never_its_secret()
    {
        var (project, maintainer) = await ProjectAsync();
        var inbox = Receiver.Inbox();
        var webhook = await App.Http.CreateWebhookAsync(project, maintainer.Token, Receiver.Url(inbox), ["registered_model.created"], Secret, name: "deploy-hook");
        var webhookId = (string)webhook["webhook_id"]!;
        var model = UniqueName("hooked");
        await new ModelVersionClient(App.Http, project, maintainer.Token).Models.CreateAsync(model, null);
        await Receiver.WaitForAsync(inbox, 1, Patience);
        await WaitUntilDeliveredAsync(project, webhookId, maintainer.Token);
        await SignInAsync(maintainer.Token);

        await OpenAsync($"/projects/{project}/webhooks");
        await Assertions.Expect(Page.Locator("h1")).ToContainTextAsync("Webhooks");
        var row = Page.Locator("[data-testid=webhooks] tbody tr");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row).ToContainTextAsync("deploy-hook");
        await Assertions.Expect(row).ToContainTextAsync(Receiver.Url(inbox));
        await Assertions.Expect(row).ToContainTextAsync("registered_model.created");
        await Assertions.Expect(row).ToContainTextAsync("ACTIVE");
        await Assertions.Expect(Page.Locator(".tabs [aria-current=page]")).ToHaveTextAsync("Webhooks");
        Assert.DoesNotContain(Secret, await Page.ContentAsync(), StringComparison.Ordinal);
        await ScreenshotAsync("webhooks");
        await AssertAccessibleAsync("webhooks");

        await row.Locator("a", new() { HasText = "deploy-hook" }).ClickAsync();
        await Page.WaitForURLAsync(url => url.EndsWith($"/webhooks/{webhookId}", StringComparison.Ordinal));
        await Assertions.Expect(Page.Locator("h1")).ToHaveTextAsync("deploy-hook");
        var delivery = Page.Locator("[data-testid=deliveries] tbody tr");
        await Assertions.Expect(delivery).ToHaveCountAsync(1);
        await Assertions.Expect(delivery).ToContainTextAsync("registered_model.created");
        await Assertions.Expect(delivery).ToContainTextAsync("DELIVERED");
        await Assertions.Expect(delivery.Locator("td").Nth(2)).ToHaveTextAsync("1");
        await Assertions.Expect(delivery.Locator("td").Nth(3)).ToHaveTextAsync("200");
        Assert.DoesNotContain(Secret, await Page.ContentAsync(), StringComparison.Ordinal);
        await ScreenshotAsync("webhook");
        await AssertAccessibleAsync("webhook");
    }

    [Fact]
    public async Task A_maintainer_creates_a_webhook_in_the_form_sends_a_test_and_deletes_it_only_after_typing_its_name()
    {
        var (project, maintainer) = await ProjectAsync();
        var inbox = Receiver.Inbox();
        await SignInAsync(maintainer.Token);
        await OpenAsync($"/projects/{project}/webhooks");

        await Page.FillAsync("#webhook-name", "form-hook");
        await Page.FillAsync("#webhook-url", Receiver.Url(inbox));
        await Page.Locator("input[name=events][value='model_version.created']").CheckAsync();
        await Page.FillAsync("#webhook-secret", Secret);
        await Page.Locator("fluent-button", new() { HasText = "Create webhook" }).ClickAsync();
        var link = Page.Locator("[data-testid=webhooks] tbody a", new() { HasText = "form-hook" });
        await Assertions.Expect(link).ToHaveCountAsync(1);
        var listed = (await (await App.Http.GetAsync(project, "webhooks", maintainer.Token)).ShouldBeOkAsync())["webhooks"]!.AsArray();
        Assert.Equal("model_version.created", $"{listed.Single()!["events"]![0]!["entity"]}.{listed.Single()!["events"]![0]!["action"]}".ToLowerInvariant());

        await link.ClickAsync();
        await Assertions.Expect(Page.Locator("h1")).ToHaveTextAsync("form-hook");
        await FluentDefinedAsync();
        await Page.Locator("fluent-button", new() { HasText = "Send test" }).ClickAsync();
        await Assertions.Expect(Page.Locator("[data-testid=test-result]")).ToContainTextAsync("Delivered: the receiver answered 200");
        var test = Assert.Single(await Receiver.WaitForAsync(inbox, 1, Patience));
        Assert.NotNull(test.Signature);
        Assert.DoesNotContain(Secret, await Page.ContentAsync(), StringComparison.Ordinal);

        await FluentDefinedAsync();
        await Page.FillAsync("#delete-webhook-confirm", "not-its-name");
        await Page.Locator("fluent-button", new() { HasText = "Delete webhook" }).ClickAsync();
        await Assertions.Expect(Page.Locator("main .error")).ToContainTextAsync("CONFIRMATION_MISMATCH");
        Assert.Single((await (await App.Http.GetAsync(project, "webhooks", maintainer.Token)).ShouldBeOkAsync())["webhooks"]!.AsArray());

        await FluentDefinedAsync();
        await Page.FillAsync("#delete-webhook-confirm", "form-hook");
        await Page.Locator("fluent-button", new() { HasText = "Delete webhook" }).ClickAsync();
        await Page.WaitForURLAsync(url => url.EndsWith($"/projects/{project}/webhooks", StringComparison.Ordinal));
        await Assertions.Expect(Page.Locator("main")).ToContainTextAsync("No webhooks yet.");
        Assert.Null((await (await App.Http.GetAsync(project, "webhooks", maintainer.Token)).ShouldBeOkAsync())["webhooks"]?.AsArray().FirstOrDefault());
    }

    [Fact]
    public async Task The_audit_log_shows_a_write_made_just_before_newest_first_pages_back_and_filters_by_date()
    {
        var (project, maintainer) = await ProjectAsync();
        var versions = new ModelVersionClient(App.Http, project, maintainer.Token);
        var model = UniqueName("audited");
        await versions.Models.CreateAsync(model, null);
        for (var i = 0; i < 50; i++)
        {
            await (await versions.SendAsync(HttpMethod.Post, "registered-models/set-tag", new { name = model, key = $"k{i}", value = "v" })).ShouldBeOkAsync();
        }
        var lastWrite = UniqueName("last-write");
        await versions.Models.CreateAsync(lastWrite, null);
        await SignInAsync(maintainer.Token);

        await OpenAsync($"/projects/{project}/audit");
        await Assertions.Expect(Page.Locator("h1")).ToContainTextAsync("Audit log");
        var rows = Page.Locator("[data-testid=audit-events] tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(50);
        await Assertions.Expect(rows.First).ToContainTextAsync("registered_model_created");
        await Assertions.Expect(rows.First).ToContainTextAsync(lastWrite);
        await Assertions.Expect(rows.First).ToContainTextAsync(maintainer.Username);
        await Assertions.Expect(rows.Nth(1)).ToContainTextAsync("registered_model_tag_set");
        await Assertions.Expect(rows.Nth(1).Locator("td").Nth(4)).ToHaveTextAsync("tags.k49: null → \"v\"");
        await ScreenshotAsync("audit");
        await AssertAccessibleAsync("audit");

        // The project and its membership, then 1 + 50 + 1 writes: 54 events, the second page holds the oldest four.
        await Page.Locator("a[rel=next]").ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(4);
        await Assertions.Expect(rows.Last).ToContainTextAsync("project_created");
        await Assertions.Expect(rows.Nth(1)).ToContainTextAsync(model);
        await Assertions.Expect(Page.Locator("a[rel=next]")).ToHaveCountAsync(0);

        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var tomorrow = DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await OpenAsync($"/projects/{project}/audit?from={tomorrow}");
        await Assertions.Expect(rows).ToHaveCountAsync(0);
        await Assertions.Expect(Page.Locator("main")).ToContainTextAsync("No audit events match.");
        await OpenAsync($"/projects/{project}/audit?from={today}&to={today}");
        await Assertions.Expect(rows.First).ToContainTextAsync(lastWrite);
    }

    [Fact]
    public async Task A_developer_sees_neither_tab_and_opening_the_pages_shows_the_APIs_refusal()
    {
        await SignInAsync(App.Tenants.Developer);
        await OpenAsync(ProjectPath("/models"));
        await Assertions.Expect(Page.Locator(".tabs a", new() { HasText = "Members" })).ToHaveCountAsync(1);
        await Assertions.Expect(Page.Locator(".tabs a", new() { HasText = "Webhooks" })).ToHaveCountAsync(0);
        await Assertions.Expect(Page.Locator(".tabs a", new() { HasText = "Audit log" })).ToHaveCountAsync(0);

        foreach (var path in new[] { "/webhooks", "/audit", $"/webhooks/{Guid.NewGuid()}" })
        {
            var response = await OpenAsync(ProjectPath(path));
            Assert.Equal(200, response.Status);
            await Assertions.Expect(Page.Locator("main .error").First).ToContainTextAsync("PERMISSION_DENIED");
            Assert.Equal(0, await Page.Locator("main table, main form[method=post]").CountAsync());
        }
    }

    private async Task WaitUntilDeliveredAsync(long project, string webhookId, TestToken token)
    {
        var deadline = DateTime.UtcNow + Patience;
        while ((string?)(await App.Http.DeliveriesAsync(project, webhookId, token)).FirstOrDefault()?["state"] != "DELIVERED")
        {
            Assert.True(DateTime.UtcNow < deadline, "the delivery was not recorded as delivered in time");
            await Task.Delay(100);
        }
    }
}
