using Microsoft.Playwright;
using Registry.Tests.Infrastructure;
using static Registry.Tests.Infrastructure.MlflowHttp;

namespace Registry.Tests.Web;

/// <summary>What a Developer changes on a model's page, checked through the API afterwards.</summary>
[Collection(RegistryCollection.Name)]
public sealed class ModelEditingTests(RegistryAppFixture app, WebBrowser browser) : WebTest(app, browser)
{
    private async Task<string> ModelWithTwoVersionsAsync()
    {
        var experimentId = await Seed.Tracking.CreateExperimentAsync(UniqueName("edit"));
        var run = await Seed.RunAsync(experimentId, "source", points: 3);
        return await Seed.ModelAsync(UniqueName("edited"), run);
    }

    [Fact]
    public async Task Editing_the_description_saves_it_and_shows_it_as_Markdown()
    {
        var model = await ModelWithTwoVersionsAsync();
        await SignInAsync(App.Tenants.Developer);
        await OpenAsync(ProjectPath($"/models/{model}"));

        await Page.Locator("summary", new() { HasText = "Edit description" }).ClickAsync();
        await Page.FillAsync("textarea[name=description]", "Scores **card** payments.");
        await Page.Locator("fluent-button", new() { HasText = "Save description" }).ClickAsync();

        await Assertions.Expect(Page.Locator("[data-testid=description] strong")).ToHaveTextAsync("card");
        Assert.Equal("Scores **card** payments.", (string?)(await Seed.Versions.Models.GetAsync(model))["description"]);
    }

    [Fact]
    public async Task Setting_an_alias_that_exists_moves_it_to_the_chosen_version()
    {
        var model = await ModelWithTwoVersionsAsync();
        await Seed.Versions.SendAsync(HttpMethod.Post, "registered-models/alias", new { name = model, alias = "champion", version = "1" });
        await SignInAsync(App.Tenants.Developer);
        await OpenAsync(ProjectPath($"/models/{model}"));

        await Page.FillAsync("#alias-name", "champion");
        await Page.SelectOptionAsync("#alias-version", "2");
        await Page.Locator("fluent-button", new() { HasText = "Set or move alias" }).ClickAsync();

        await Assertions.Expect(Page.Locator("[data-testid=aliases]")).ToContainTextAsync("champion → v2");
        var alias = await (await Seed.Versions.GetQueryAsync($"registered-models/alias?name={model}&alias=champion")).ShouldBeOkAsync();
        Assert.Equal("2", (string?)alias["model_version"]!["version"]);
    }

    [Fact]
    public async Task A_stage_transition_with_archive_existing_archives_the_stages_other_version()
    {
        var model = await ModelWithTwoVersionsAsync();
        await Seed.Versions.TransitionAsync(model, "1", "Production");
        await SignInAsync(App.Tenants.Developer);
        await OpenAsync(ProjectPath($"/models/{model}"));

        await Page.SelectOptionAsync("#stage-version", "2");
        await Page.SelectOptionAsync("#stage", "Production");
        await Page.CheckAsync("input[name=archive_existing]");
        await Page.Locator("fluent-button", new() { HasText = "Transition" }).ClickAsync();

        await Assertions.Expect(Page.Locator("[data-testid=versions] tr", new() { HasText = "v2" })).ToContainTextAsync("Production");
        Assert.Equal("Archived", (string?)(await Seed.Versions.GetAsync(model, "1"))["current_stage"]);
        Assert.Equal("Production", (string?)(await Seed.Versions.GetAsync(model, "2"))["current_stage"]);
    }

    [Fact]
    public async Task Deleting_a_model_needs_its_name_typed_exactly()
    {
        var model = await ModelWithTwoVersionsAsync();
        await SignInAsync(App.Tenants.Developer);
        await OpenAsync(ProjectPath($"/models/{model}"));

        await Page.FillAsync("#delete-model-confirm", model + "x");
        await Page.Locator("fluent-button", new() { HasText = "Delete model" }).ClickAsync();
        await Assertions.Expect(Page.Locator(".danger-zone .error")).ToContainTextAsync("to confirm");
        await (await Seed.Versions.Models.GetRawAsync(model)).ShouldBeOkAsync();

        await Page.FillAsync("#delete-model-confirm", model);
        await Page.Locator("fluent-button", new() { HasText = "Delete model" }).ClickAsync();
        await Page.WaitForURLAsync(url => url.EndsWith("/models", StringComparison.Ordinal));
        await (await Seed.Versions.Models.GetRawAsync(model)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }
}
