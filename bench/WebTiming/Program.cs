using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;

// Signs in once, then loads the page N times in headless Chromium and prints, per load, the milliseconds from
// navigation to "interactive": every <metric-chart> on the page has drawn its data (data-points is set).
//   dotnet WebTiming.dll <web url> <token> <path> <loads>
var (baseUrl, token, path, loads) = (args[0], args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture));

using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new()
{
    ExecutablePath = "/usr/bin/chromium",
    Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"],
});
var context = await browser.NewContextAsync(new() { BaseURL = baseUrl, ViewportSize = new() { Width = 1280, Height = 900 } });
var page = await context.NewPageAsync();
await page.GotoAsync("/sign-in");
await page.FillAsync("input[name=token]", token);
await page.Locator("form fluent-button[type=submit]").ClickAsync();
await page.WaitForURLAsync(url => url.EndsWith("/projects", StringComparison.Ordinal));

for (var i = 0; i < loads; i++)
{
    await page.GotoAsync("about:blank");
    var clock = Stopwatch.StartNew();
    await page.GotoAsync(path, new() { WaitUntil = WaitUntilState.Commit });
    try
    {
        await page.WaitForFunctionAsync(
            "() => { const charts = [...document.querySelectorAll('metric-chart')]; return charts.length > 0 && charts.every(c => c.dataset.points); }",
            null, new() { Timeout = 60_000, PollingInterval = 5 });
    }
    catch (TimeoutException)
    {
        Console.Error.WriteLine($"No chart drew within 60 s: {await page.Locator("main").InnerTextAsync()}");
        return 1;
    }
    var elapsed = clock.Elapsed.TotalMilliseconds;
    var points = await page.Locator("metric-chart").First.GetAttributeAsync("data-points");
    Console.WriteLine(FormattableString.Invariant($"{elapsed:F0}\t{points}"));
}
return 0;
