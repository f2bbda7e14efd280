using Microsoft.Playwright;
using Registry.Tests.Admin;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Web;

[Collection(RegistryCollection.Name)]
public sealed class AccountTests(RegistryAppFixture app, WebBrowser browser) : WebTest(app, browser)
{
    private AdminHttp Admin => new(App.Http, new TestToken(App.BootstrapToken));

    [Fact]
    public async Task A_created_token_is_shown_once_works_against_the_API_and_stops_working_when_revoked()
    {
        var person = await Admin.PersonAsync(App.Tenants.ProjectId, 30);
        await SignInAsync(person.Token);
        await OpenAsync("/-/tokens");

        var name = MlflowHttp.UniqueName("laptop");
        await Page.FillAsync("#token-name", name);
        await Page.CheckAsync("input[name=scopes][value=api]");
        await Page.Locator("fluent-button", new() { HasText = "Create token" }).ClickAsync();
        var created = new TestToken((await Page.Locator("[data-testid=new-token]").InputValueAsync()).Trim());
        Assert.StartsWith("glpat-", created.Value);
        await Admin.OkAsync(HttpMethod.Get, "user", created);

        await OpenAsync("/-/tokens");
        Assert.Equal(0, await Page.Locator("[data-testid=new-token]").CountAsync());
        Assert.DoesNotContain(created.Value, await Page.ContentAsync());
        var row = Page.Locator("[data-testid=tokens] tr", new() { HasText = name });
        await row.Locator("fluent-button", new() { HasText = "Revoke" }).ClickAsync();
        await Assertions.Expect(Page.Locator("[data-testid=tokens] tr", new() { HasText = name })).ToContainTextAsync("revoked");

        Assert.Equal(HttpStatusCode.Unauthorized, (await Admin.SendAsync(HttpMethod.Get, "user", created)).StatusCode);
    }

    [Fact]
    public async Task A_maintainer_adds_a_member_by_username_and_changes_their_role()
    {
        var project = await Admin.ProjectAsync();
        var maintainer = await Admin.PersonAsync(project, 40);
        var newcomer = await Admin.PersonAsync();
        await SignInAsync(maintainer.Token);
        await OpenAsync($"/projects/{project}/members");

        await Page.FillAsync("#member-username", newcomer.Username);
        await Page.SelectOptionAsync("#member-level", "20");
        await Page.Locator("fluent-button", new() { HasText = "Add member" }).ClickAsync();
        var row = Page.Locator("[data-testid=members] tr", new() { HasText = newcomer.Username });
        await Assertions.Expect(row).ToContainTextAsync("Reporter");

        await row.Locator("select").SelectOptionAsync("30");
        await row.Locator("fluent-button", new() { HasText = "Change" }).ClickAsync();
        await Assertions.Expect(Page.Locator("[data-testid=members] tr", new() { HasText = newcomer.Username })).ToContainTextAsync("Developer");
        var members = await Admin.ListAsync($"projects/{project}/members", Admin.Admin);
        Assert.Equal(30, (int)members.Single(m => (string?)m!["username"] == newcomer.Username)!["access_level"]!);
    }
}
