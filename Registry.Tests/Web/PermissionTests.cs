using Microsoft.Playwright;
using Registry.Tests.Infrastructure;
using static Registry.Tests.Infrastructure.MlflowHttp;

namespace Registry.Tests.Web;

/// <summary>The UI hides what a role may not do; the API decides, even for a post the UI never offered.</summary>
[Collection(RegistryCollection.Name)]
public sealed class PermissionTests(RegistryAppFixture app, WebBrowser browser) : WebTest(app, browser)
{
    [Fact]
    public async Task A_reporter_sees_no_write_actions_and_the_API_refuses_a_forged_description_post()
    {
        var experimentId = await Seed.Tracking.CreateExperimentAsync(UniqueName("reporter"));
        var run = await Seed.RunAsync(experimentId, "source", points: 3);
        var model = await Seed.ModelAsync(UniqueName("read-only"), run, description: "original");
        await SignInAsync(App.Tenants.Reporter);

        foreach (var path in new[] { ProjectPath($"/models/{model}"), ProjectPath("/members") })
        {
            await OpenAsync(path);
            Assert.Equal(0, await Page.Locator("main form[method=post]").CountAsync());
            Assert.Equal(0, await Page.Locator("main textarea, main #tag-key, main #alias-name, main #stage, main #delete-model-confirm").CountAsync());
        }

        await OpenAsync(ProjectPath($"/models/{model}"));
        var antiforgery = await Page.Locator("header input[name=__RequestVerificationToken]").GetAttributeAsync("value");
        var forged = await Context.APIRequest.PostAsync(ProjectPath($"/models/{model}"), new()
        {
            Form = Context.APIRequest.CreateFormData()
                .Set("_handler", "description").Set("__RequestVerificationToken", antiforgery!).Set("description", "defaced"),
        });

        Assert.False(forged.Ok && (await forged.TextAsync()).Contains("defaced", StringComparison.Ordinal), "the forged post was accepted");
        Assert.Equal("original", (string?)(await Seed.Versions.Models.GetAsync(model))["description"]);
    }

    [Fact]
    public async Task When_the_UI_offers_a_write_the_API_still_decides_a_read_api_token_is_refused_inline()
    {
        var experimentId = await Seed.Tracking.CreateExperimentAsync(UniqueName("read-api"));
        var run = await Seed.RunAsync(experimentId, "source", points: 3);
        var model = await Seed.ModelAsync(UniqueName("scoped"), run, description: "original");
        await SignInAsync(App.Tenants.DeveloperReadApi);
        await OpenAsync(ProjectPath($"/models/{model}"));

        await Page.Locator("summary", new() { HasText = "Edit description" }).ClickAsync();
        await Page.FillAsync("textarea[name=description]", "defaced");
        await Page.Locator("fluent-button", new() { HasText = "Save description" }).ClickAsync();

        await Assertions.Expect(Page.Locator("main .error")).ToContainTextAsync("PERMISSION_DENIED");
        Assert.Equal("original", (string?)(await Seed.Versions.Models.GetAsync(model))["description"]);
    }

    [Fact]
    public async Task A_filter_that_does_not_parse_shows_MLflows_message_beside_the_search_box_and_plain_text_searches_names()
    {
        var experimentId = await Seed.Tracking.CreateExperimentAsync(UniqueName("filter"));
        var run = await Seed.RunAsync(experimentId, "source", points: 1);
        var model = await Seed.ModelAsync(UniqueName("needle"), run, versions: 1);
        await SignInAsync(App.Tenants.Developer);

        var response = await OpenAsync(ProjectPath("/models?q=" + Uri.EscapeDataString("name LIKE")));
        Assert.Equal(200, response.Status);
        await Assertions.Expect(Page.Locator("#q-error")).ToContainTextAsync("INVALID_PARAMETER_VALUE");
        Assert.Equal("name LIKE", await Page.Locator("#q").InputValueAsync());
        await ScreenshotAsync("models-bad-filter");

        await Page.FillAsync("#q", model[7..20]);
        await Page.Locator("form[role=search] fluent-button").ClickAsync();
        await Assertions.Expect(Page.Locator("main table.grid tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(Page.Locator("main table.grid tbody")).ToContainTextAsync(model);

        await OpenAsync(ProjectPath("/models?q=" + Uri.EscapeDataString($"name = '{model}' AND tags.team = 'risk'")));
        await Assertions.Expect(Page.Locator("main table.grid tbody tr")).ToHaveCountAsync(1);
    }
}
