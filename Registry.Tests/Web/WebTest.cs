using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Web;

/// <summary>A browser test: its own browser context (cookies), helpers to sign in, check accessibility and take screenshots.</summary>
public abstract class WebTest(RegistryAppFixture app, WebBrowser browser) : IAsyncLifetime
{
    protected RegistryAppFixture App { get; } = app;
    protected WebSeed Seed { get; } = new(app);
    protected IBrowserContext Context { get; private set; } = null!;
    protected IPage Page { get; private set; } = null!;
    protected long ProjectId => App.Tenants.ProjectId;

    public async Task InitializeAsync()
    {
        Context = await browser.NewContextAsync(App.WebUrl);
        Page = await Context.NewPageAsync();
        if (Environment.GetEnvironmentVariable("REGISTRY_WEB_TRACE") is not null)
        {
            Page.Request += (_, r) => Console.WriteLine($"-> {r.Method} {r.Url}");
            Page.RequestFinished += (_, r) => Console.WriteLine($"<- {r.Url}");
            Page.RequestFailed += (_, r) => Console.WriteLine($"!! {r.Url} {r.Failure}");
        }
    }

    public async Task DisposeAsync() => await Context.CloseAsync().WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>
    /// A navigation, tried once more when the document never arrives: now and then a navigation through Aspire's
    /// endpoint proxy waits forever for its response (seen under heavy load, cause not found); a new request goes through.
    /// </summary>
    protected async Task<IResponse> GotoAsync(string path, WaitUntilState waitUntil = WaitUntilState.Load)
    {
        IResponse response;
        try
        {
            response = (await Page.GotoAsync(path, new PageGotoOptions { WaitUntil = waitUntil, Timeout = 30_000 }))!;
        }
        catch (TimeoutException)
        {
            response = (await Page.GotoAsync(path, new PageGotoOptions { WaitUntil = waitUntil, Timeout = 60_000 }))!;
        }
        await FluentDefinedAsync();
        return response;
    }

    /// <summary>
    /// Fluent's web components are defined by a script that runs after the load event; until then a button is an inert
    /// element that ignores clicks and the keyboard (under load, for seconds).
    /// </summary>
    protected async Task FluentDefinedAsync() =>
        await Page.WaitForFunctionAsync("() => !document.querySelector('fluent-button:not(:defined)')");

    protected async Task SignInAsync(TestToken token)
    {
        await GotoAsync("/sign-in");
        await Page.FillAsync("input[name=token]", token.Value);
        await Page.Locator("form fluent-button[type=submit]").ClickAsync();
        await Page.WaitForURLAsync(url => url.EndsWith("/projects", StringComparison.Ordinal));
    }

    /// <summary>Goes to a page and waits until it has finished loading and streaming.</summary>
    protected async Task<IResponse> OpenAsync(string path)
    {
        var response = await GotoAsync(path, WaitUntilState.NetworkIdle);
        await Page.WaitForFunctionAsync("() => !document.querySelector('[aria-busy=true]')");
        return response;
    }

    protected async Task ScreenshotAsync(string name) =>
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(WebBrowser.ScreenshotDirectory, $"{name}.png"), FullPage = true });

    /// <summary>axe-core's serious and critical violations on the page as it is now: none allowed.</summary>
    protected async Task AssertAccessibleAsync(string page)
    {
        var result = await Page.RunAxe();
        var blocking = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(blocking.Count == 0, $"{page}: " + string.Join("\n", blocking.Select(v =>
            $"{v.Impact} {v.Id}: {v.Help} — {string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html))}")));
    }

    protected string ProjectPath(string rest = "") => $"/projects/{ProjectId}{rest}";
}
