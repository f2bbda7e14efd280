using Microsoft.Playwright;
using Registry.Tests.Infrastructure;
using static Registry.Tests.Infrastructure.MlflowHttp;

namespace Registry.Tests.Web;

/// <summary>Metric charts on the run and compare pages, drawn from the points the API holds.</summary>
[Collection(RegistryCollection.Name)]
public sealed class ChartTests(RegistryAppFixture app, WebBrowser browser) : WebTest(app, browser)
{
    private ILocator Chart(string key) => Page.Locator($"metric-chart[data-key='{key}']");

    [Fact]
    public async Task A_run_with_137_logged_points_draws_a_chart_of_137_points()
    {
        var experimentId = await Seed.Tracking.CreateExperimentAsync(UniqueName("chart"));
        var run = await Seed.RunAsync(experimentId, "short", metric: "loss", points: 137);
        await SignInAsync(App.Tenants.Developer);
        await OpenAsync(ProjectPath($"/runs/{run.RunId}"));

        await Assertions.Expect(Chart("loss")).ToHaveAttributeAsync("data-points", "137");
        await Assertions.Expect(Chart("loss").Locator("canvas")).ToHaveCountAsync(1);
        await Assertions.Expect(Chart("loss").Locator(".status")).ToHaveTextAsync("137 points");
    }

    [Fact]
    public async Task A_long_series_arrives_down_sampled_and_zooming_fetches_the_visible_steps_again()
    {
        var experimentId = await Seed.Tracking.CreateExperimentAsync(UniqueName("chart-long"));
        var run = await Seed.RunAsync(experimentId, "long", metric: "loss", points: 5000);
        await SignInAsync(App.Tenants.Developer);
        await OpenAsync(ProjectPath($"/runs/{run.RunId}"));

        await Assertions.Expect(Chart("loss").Locator(".status")).ToContainTextAsync("down-sampled");
        var overview = int.Parse((await Chart("loss").GetAttributeAsync("data-points"))!);
        // At most 1000 spread over the steps, plus the last step, as MLflow's bulk-interval answers.
        Assert.InRange(overview, 500, 1001);

        var refetch = Page.WaitForRequestAsync(r => r.Url.Contains("/metric-points", StringComparison.Ordinal) && r.Url.Contains("start=", StringComparison.Ordinal));
        var plot = (await Chart("loss").Locator(".u-over").BoundingBoxAsync())!;
        await Page.Mouse.MoveAsync(plot.X + plot.Width * 0.10f, plot.Y + plot.Height / 2);
        await Page.Mouse.DownAsync();
        await Page.Mouse.MoveAsync(plot.X + plot.Width * 0.15f, plot.Y + plot.Height / 2, new() { Steps = 5 });
        await Page.Mouse.UpAsync();
        var request = await refetch;

        var query = System.Web.HttpUtility.ParseQueryString(new Uri(request.Url).Query);
        var (start, end) = (long.Parse(query["start"]!), long.Parse(query["end"]!));
        Assert.InRange(end - start, 50, 1000);
        await Assertions.Expect(Chart("loss")).ToHaveAttributeAsync("data-points", (end - start + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Comparing_two_runs_chosen_in_the_runs_table_overlays_their_metrics_and_highlights_differing_params()
    {
        var experimentId = await Seed.Tracking.CreateExperimentAsync(UniqueName("compare"));
        var a = await Seed.RunAsync(experimentId, "lr-small", points: 25, lr: "0.01");
        var b = await Seed.RunAsync(experimentId, "lr-large", points: 25, lr: "0.1");
        await SignInAsync(App.Tenants.Developer);
        await OpenAsync(ProjectPath($"/experiments/{experimentId}"));

        await Page.CheckAsync($"input[name=runs][value='{a.RunId}']");
        await Page.CheckAsync($"input[name=runs][value='{b.RunId}']");
        await Page.Locator("fluent-button", new() { HasText = "Compare selected runs" }).ClickAsync();
        await Page.WaitForURLAsync(url => url.Contains("/compare?", StringComparison.Ordinal));

        await Assertions.Expect(Chart("loss")).ToHaveAttributeAsync("data-points", "50");
        var table = Page.Locator("[data-testid=compare]");
        await Assertions.Expect(table.Locator("tr.differs", new() { HasText = "params.lr" })).ToHaveCountAsync(1);
        await Assertions.Expect(table.Locator("tr:not(.differs)", new() { HasText = "params.epochs" })).ToHaveCountAsync(1);
        await ScreenshotAsync("compare-selected");
    }

    [Fact]
    public async Task Chosen_run_columns_live_in_the_URL_and_sort_the_runs()
    {
        var experimentId = await Seed.Tracking.CreateExperimentAsync(UniqueName("columns"));
        await Seed.RunAsync(experimentId, "first", points: 10, lr: "0.3");
        await Seed.RunAsync(experimentId, "second", points: 10, lr: "0.1");
        await SignInAsync(App.Tenants.Developer);
        await OpenAsync(ProjectPath($"/experiments/{experimentId}?columns=params.lr,metrics.loss"));

        var runs = Page.Locator("[data-testid=runs]");
        await Assertions.Expect(runs.Locator("thead")).ToContainTextAsync("params.lr");
        await runs.Locator("th a", new() { HasText = "params.lr" }).ClickAsync();
        await Page.WaitForURLAsync(url => url.Contains("sort=params.lr", StringComparison.Ordinal) && url.Contains("columns=params.lr", StringComparison.Ordinal));
        await Assertions.Expect(runs.Locator("tbody tr").First).ToContainTextAsync("first");
        await runs.Locator("th a", new() { HasText = "params.lr" }).ClickAsync();
        await Page.WaitForURLAsync(url => url.Contains("dir=asc", StringComparison.Ordinal));
        await Assertions.Expect(runs.Locator("tbody tr").First).ToContainTextAsync("second");
    }
}
