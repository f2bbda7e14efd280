using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Security;

[Collection(RegistryCollection.Name)]
public sealed class SecretsTests(RegistryAppFixture app)
{
    [Fact]
    public async Task Tokens_and_connection_secrets_never_reach_logs_or_traces()
    {
        var logs = new ConcurrentQueue<string>();
        var spans = new ConcurrentQueue<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => spans.Enqueue($"{a.DisplayName} {string.Join(' ', a.TagObjects.Select(t => $"{t.Key}={t.Value}"))}"),
        };
        ActivitySource.AddActivityListener(listener);
        await using var api = new CapturingApi(app.ConnectionString + ";Password=connection-secret", logs);
        using var http = api.CreateClient();

        await (await http.PostJsonAsync(app.Tenants.ProjectId, "registered-models/create", new { name = MlflowHttp.UniqueName("secret") }, app.Tenants.Developer)).ShouldBeOkAsync();
        await http.GetAsync(app.Tenants.ProjectId, "registered-models/get?name=x", new TestToken("glpat-wrong-secret-token"));
        await http.SendRawAsync(HttpMethod.Get, MlflowHttp.Path(app.Tenants.ProjectId, "experiments/get?experiment_id=0"), null, null,
            $"Basic {Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"u:{app.Tenants.Reporter.Value}"))}");

        var everything = string.Join('\n', logs.Concat(spans));
        Assert.NotEmpty(logs);
        Assert.NotEmpty(spans);
        foreach (var secret in new[] { app.Tenants.Developer.Value, "glpat-wrong-secret-token", app.Tenants.Reporter.Value, "connection-secret" })
        {
            Assert.DoesNotContain(secret, everything);
        }
    }

    private sealed class CapturingApi(string connectionString, ConcurrentQueue<string> logs) : InProcessApi(new Dictionary<string, string?>
    {
        ["ConnectionStrings:registrydb"] = connectionString,
        ["Logging:LogLevel:Default"] = "Trace",
    })
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddLogging(logging =>
            {
                logging.SetMinimumLevel(LogLevel.Trace);
                logging.AddProvider(new QueueLoggerProvider(logs));
            }));
        }
    }

    private sealed class QueueLoggerProvider(ConcurrentQueue<string> logs) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new QueueLogger(categoryName, logs);

        public void Dispose() { }
    }

    private sealed class QueueLogger(string category, ConcurrentQueue<string> logs) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs.Enqueue($"{category}: {formatter(state, exception)} {exception}");
    }
}
