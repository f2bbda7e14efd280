using Microsoft.Playwright;
using Registry.Tests.Infrastructure;
using static Registry.Tests.Infrastructure.MlflowHttp;

namespace Registry.Tests.Web;

/// <summary>Every page of the UI, in a real browser: it renders, axe finds no serious or critical violation, and a screenshot is saved.</summary>
[Collection(RegistryCollection.Name)]
public sealed class PagesTests(RegistryAppFixture app, WebBrowser browser) : WebTest(app, browser)
{
    [Fact]
    public async Task Every_page_renders_with_no_serious_accessibility_violation_and_is_saved_as_a_screenshot()
    {
        var experimentId = await Seed.Tracking.CreateExperimentAsync(UniqueName("pages"), ("purpose", "ui"));
        var a = await Seed.RunAsync(experimentId, "baseline", points: 40, lr: "0.01");
        var b = await Seed.RunAsync(experimentId, "tuned", points: 40, lr: "0.02");
        await Seed.UploadAsync($"{a.ArtifactRoot}/model/MLmodel", "artifact_path: model\nflavors:\n  python_function:\n    loader_module: mlflow.sklearn\n");
        await Seed.UploadAsync($"{a.ArtifactRoot}/metrics.csv", "step,loss\n0,1.0\n1,0.5\n");
        var model = await Seed.ModelAsync(UniqueName("pages-model"), a, description: "# Fraud model\nFinds **fraud** in card payments.");
        await Seed.Versions.SendAsync(HttpMethod.Post, "registered-models/alias", new { name = model, alias = "champion", version = "2" });
        var logged = await (await Seed.Tracking.PostAsync("logged-models", new { experiment_id = experimentId, name = "classifier", source_run_id = a.RunId })).ShouldBeOkAsync();
        var loggedId = (string)logged["model"]!["info"]!["model_id"]!;

        await OpenAsync("/sign-in");
        await CheckPageAsync("sign-in", "Sign in");
        await SignInAsync(App.Tenants.Developer);

        var pages = new (string Name, string Path, string Heading)[]
        {
            ("projects", "/projects", "Projects"),
            ("models", ProjectPath("/models"), "Registered models"),
            ("model", ProjectPath($"/models/{model}"), model),
            ("version", ProjectPath($"/models/{model}/versions/1"), "version 1"),
            ("experiments", ProjectPath("/experiments"), "Experiments"),
            ("experiment", ProjectPath($"/experiments/{experimentId}?columns=metrics.loss,params.lr"), "pages-"),
            ("run", ProjectPath($"/runs/{a.RunId}?file=metrics.csv"), "baseline"),
            ("compare", ProjectPath($"/compare?runs={a.RunId},{b.RunId}"), "Compare runs"),
            ("logged-model", ProjectPath($"/logged-models/{loggedId}"), "classifier"),
            ("tokens", "/-/tokens", "Personal access tokens"),
            ("members", ProjectPath("/members"), "Members"),
        };
        foreach (var (name, path, heading) in pages)
        {
            var response = await OpenAsync(path);
            Assert.True(response.Status == 200, $"{path} answered {response.Status}");
            await CheckPageAsync(name, heading);
        }

        await Context.ClearCookiesAsync();
        await SignInAsync(new TestToken(App.BootstrapToken));
        await OpenAsync("/admin");
        await CheckPageAsync("admin", "Administration");
    }

    private async Task CheckPageAsync(string name, string heading)
    {
        await Assertions.Expect(Page.Locator("h1")).ToContainTextAsync(heading);
        await ScreenshotAsync(name);
        await AssertAccessibleAsync(name);
    }
}
