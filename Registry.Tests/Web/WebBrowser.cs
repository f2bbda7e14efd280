using Microsoft.Playwright;

namespace Registry.Tests.Web;

/// <summary>
/// Debian's Chromium driven by Playwright, started on first use and shared by the browser tests of the collection
/// (Playwright's own browser download is neither possible nor needed here). Each test gets its own context: its own
/// cookies, so sessions never leak between tests.
/// </summary>
public sealed class WebBrowser : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] Args =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private readonly SemaphoreSlim _start = new(1, 1);
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>Where screenshots of every page go: the test output folder.</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task<IBrowserContext> NewContextAsync(Uri baseUrl)
    {
        var browser = await BrowserAsync();
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl.ToString().TrimEnd('/'),
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        // Generous: CI shares two cores between PostgreSQL, the API, the UI, the browser and the other test classes.
        context.SetDefaultTimeout(30_000);
        context.SetDefaultNavigationTimeout(60_000);
        return context;
    }

    private async Task<IBrowser> BrowserAsync()
    {
        await _start.WaitAsync(TimeSpan.FromMinutes(1));
        try
        {
            if (_browser is null)
            {
                _playwright = await Playwright.CreateAsync().WaitAsync(TimeSpan.FromMinutes(1));
                _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
                {
                    ExecutablePath = ChromiumPath,
                    Args = Args,
                    Headless = true,
                    Timeout = 60_000,
                });
                Directory.CreateDirectory(ScreenshotDirectory);
                Assertions.SetDefaultExpectTimeout(15_000);
            }
            return _browser;
        }
        finally
        {
            _start.Release();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        _playwright?.Dispose();
        _start.Dispose();
    }
}
