using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Deployment;

/// <summary>The AppHost started as `dotnet run` starts it, with the settings a test gives, and stopped when disposed.</summary>
internal sealed class LocalApp : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private readonly DistributedApplication _app;

    private LocalApp(DistributedApplication app, HttpClient http, string connectionString) =>
        (_app, Http, ConnectionString) = (app, http, connectionString);

    public ResourceNotificationService Notifications => _app.ResourceNotifications;

    public HttpClient Http { get; }
    public string ConnectionString { get; }

    public static async Task<LocalApp> StartAsync(params string[] settings)
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Registry_AppHost>(settings, timeout.Token);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            // No collector listens in tests; exporting would only cost seconds at every shutdown.
            project.Annotations.Add(new EnvironmentCallbackAnnotation(env => env.EnvironmentVariables["OTEL_SDK_DISABLED"] = "true"));
        }

        var app = await builder.BuildAsync(timeout.Token);
        await app.StartAsync(timeout.Token);
        await app.ResourceNotifications.WaitForResourceAsync("migrations", KnownResourceStates.Finished, timeout.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("api", timeout.Token);
        var http = app.CreateHttpClient("api");
        http.Timeout = TimeSpan.FromSeconds(60);
        return new(app, http, (await app.GetConnectionStringAsync("registrydb", timeout.Token))!);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync().AsTask().WaitAsync(timeout.Token);
    }
}
