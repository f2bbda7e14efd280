using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Registry.Tests.Infrastructure;

/// <summary>
/// Starts the whole system once per test collection, as `dotnet run --project Registry.AppHost` would:
/// PostgreSQL, the migration worker, the API, then the web UI. Tests talk to the API over HTTP like an MLflow client;
/// the browser tests (Web/) drive the UI at <see cref="WebUrl"/>.
/// </summary>
public sealed class RegistryAppFixture : IAsyncLifetime
{
    /// <summary>A project for which the ml_experiment_tracking flag is switched off (targeting exclusion).</summary>
    public const long FlagOffProjectId = 900_001;

    /// <summary>The API's artifact upload limit in these tests, small enough to test cheaply.</summary>
    public const long MaxUploadBytes = 4 * 1024 * 1024;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private DistributedApplication? _app;

    public HttpClient Http { get; private set; } = null!;
    public Uri WebUrl { get; private set; } = null!;
    public string ConnectionString { get; private set; } = null!;
    public string BootstrapToken { get; } = "bootstrap-" + Guid.NewGuid().ToString("N");

    /// <summary>The API's artifact directory, so that tests can look at the files and host further API processes on it.</summary>
    public string ArtifactsRoot { get; } = Directory.CreateTempSubdirectory("registry-test-artifacts-").FullName;
    public Tenants Tenants { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Registry_AppHost>(
            // A throw-away database per run (the default keeps data between runs, and concurrent runs must not share it);
            // one known artifact directory, so that a second API process in a test shares the AppHost API's files.
            [$"--Parameters:bootstrap-token={BootstrapToken}", "--Postgres:DataDir=temp", $"--Artifacts:Root={ArtifactsRoot}"], timeout.Token);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));

        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            // No collector listens in tests; exporting would only cost seconds at every shutdown.
            project.Annotations.Add(new EnvironmentCallbackAnnotation(env => env.EnvironmentVariables["OTEL_SDK_DISABLED"] = "true"));
        }
        var api = builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "api");
        api.Annotations.Add(new EnvironmentCallbackAnnotation(env =>
        {
            env.EnvironmentVariables["FeatureManagement__ml_experiment_tracking__EnabledFor__0__Parameters__Audience__Exclusion__Users__0"] =
                FlagOffProjectId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            env.EnvironmentVariables["Registry__Artifacts__MaxUploadBytes"] = MaxUploadBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
            // Every test talks from one loopback address, far faster than any real client without a valid token.
            env.EnvironmentVariables["Registry__RateLimit__Unauthenticated__PermitsPerSecond"] = "0";
            // Webhook tests receive on loopback over plain HTTP (Webhooks/WebhookSafetyTests checks the defaults refuse that).
            env.EnvironmentVariables["Registry__Webhooks__AllowPrivateTargets"] = "true";
            env.EnvironmentVariables["Registry__Webhooks__AllowedSchemes"] = "http,https";
        }));

        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);
        await _app.ResourceNotifications.WaitForResourceAsync("migrations", KnownResourceStates.Finished, timeout.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("api", timeout.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("web", timeout.Token);

        Http = _app.CreateHttpClient("api");
        Http.Timeout = TimeSpan.FromSeconds(60);
        WebUrl = _app.GetEndpoint("web", "http");
        // The UI makes its Data Protection key and compiles its first page on the first request: not in a test's time.
        using (var web = new HttpClient { BaseAddress = WebUrl, Timeout = TimeSpan.FromSeconds(60) })
        {
            (await web.GetAsync("/sign-in", timeout.Token)).EnsureSuccessStatusCode();
        }
        ConnectionString = (await _app.GetConnectionStringAsync("registrydb", timeout.Token))!;
        Tenants = await Tenants.SeedAsync(ConnectionString, FlagOffProjectId);
    }

    /// <summary>
    /// The operating-system process serving the API the AppHost started (on Linux): DCP starts <c>dotnet run</c>, whose
    /// child runs the API, so this is the descendant whose command line runs Registry.Api.
    /// </summary>
    public int ApiProcessId()
    {
        if (!_app!.ResourceNotifications.TryGetCurrentState("api", out var state)
            || state.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is not { } launcher)
        {
            throw new InvalidOperationException("The AppHost reports no process for the API.");
        }
        var parents = Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0)
            .Select(pid => (Pid: pid, Parent: ParentOf(pid)))
            .ToList();
        var family = new List<int> { Convert.ToInt32(launcher, System.Globalization.CultureInfo.InvariantCulture) };
        for (var i = 0; i < family.Count; i++)
        {
            family.AddRange(parents.Where(p => p.Parent == family[i]).Select(p => p.Pid));
        }
        return family.Last(pid => CommandLine(pid) is { } command
            && !command.StartsWith("dotnet run", StringComparison.Ordinal) && command.Contains("Registry.Api", StringComparison.Ordinal));
    }

    private static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0; // ended meanwhile
        }
    }

    private static string? CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return null;
        }
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        try { Directory.Delete(ArtifactsRoot, recursive: true); } catch (IOException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class RegistryCollection : ICollectionFixture<RegistryAppFixture>, ICollectionFixture<Web.WebBrowser>
{
    public const string Name = "registry";
}
