using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Registry.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Registry.Tests.Security;

[Collection(RegistryCollection.Name)]
public sealed class LimitTests(RegistryAppFixture app, ITestOutputHelper output)
{
    private const int MiB = 1024 * 1024;

    private InProcessApi Api(params (string Key, string Value)[] settings) => new(new Dictionary<string, string?>(
        settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)))
    {
        ["ConnectionStrings:registrydb"] = app.ConnectionString,
        ["OTEL_SDK_DISABLED"] = "true",
    });

    [Fact]
    public async Task A_token_over_its_rate_gets_429_with_Retry_After_and_other_tokens_are_not_slowed()
    {
        await using var api = Api(("Registry:RateLimit:PermitsPerSecond", "2"), ("Registry:RateLimit:Burst", "3"));
        using var http = api.CreateClient();

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 8; i++)
        {
            responses.Add(await http.GetAsync(app.Tenants.ProjectId, "registered-models/get?name=x", app.Tenants.Developer));
        }

        var limited = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        await limited[0].ShouldBeMlflowErrorAsync(HttpStatusCode.TooManyRequests, "REQUEST_LIMIT_EXCEEDED");
        Assert.True(int.Parse(limited[0].Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        await (await http.GetAsync(app.Tenants.ProjectId, "registered-models/get?name=x", app.Tenants.Reporter))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }

    [Fact]
    public async Task A_JSON_body_over_the_limit_is_413_with_an_MLflow_body()
    {
        await using var api = Api(("Registry:MaxRequestBodyBytes", "1024"));
        using var http = api.CreateClient();

        var response = await http.PostRawAsync(app.Tenants.ProjectId, "registered-models/create",
            $$"""{"name": "big", "description": "{{new string('d', 4000)}}"}""", app.Tenants.Developer);

        await response.ShouldBeMlflowErrorAsync(HttpStatusCode.RequestEntityTooLarge, "INVALID_PARAMETER_VALUE");
        await (await http.GetAsync(app.Tenants.ProjectId, "registered-models/get?name=big", app.Tenants.Developer))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }

    [Fact]
    public async Task A_JSON_body_over_the_default_4_MiB_is_413_whatever_its_framing()
    {
        var body = $$"""{"name": "big", "description": "{{new string('d', 4 * MiB)}}"}""";

        await (await app.Http.PostRawAsync(app.Tenants.ProjectId, "registered-models/create", body, app.Tenants.Developer))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.RequestEntityTooLarge, "INVALID_PARAMETER_VALUE");
        var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body)));
        chunked.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        await (await app.Http.SendRawAsync(HttpMethod.Post, MlflowHttp.Path(app.Tenants.ProjectId, "registered-models/create"), chunked, app.Tenants.Developer))
            .ShouldBeMlflowErrorAsync(HttpStatusCode.RequestEntityTooLarge, "INVALID_PARAMETER_VALUE");
    }

    /// <summary>
    /// Issue 14 §4: 32 concurrent 16 MB bodies took the API from 231 MB to 3 GB. Here 32 concurrent bodies of each hostile
    /// shape at the 4 MiB limit, and 32 full legal log-batches, against the API process the AppHost started: its resident
    /// memory may grow by at most 100 MB over what it had before.
    /// </summary>
    [Fact]
    public async Task Thirty_two_concurrent_maximum_size_bodies_raise_the_API_processes_memory_by_at_most_100_MB()
    {
        var pid = app.ApiProcessId();
        output.WriteLine($"API process {pid}: {File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ')}");
        var tracking = new TrackingClient(app.Http, app.Tenants.ProjectId, app.Tenants.Developer);
        var runId = await tracking.NewRunIdAsync(await tracking.CreateExperimentAsync(MlflowHttp.UniqueName("rss")));
        var near = 4 * MiB - 4096;
        (string Rpc, string Body)[] shapes =
        [
            // One huge string (the review's shape).
            ("registered-models/create", $$"""{"name": "rss", "description": "{{new string('d', near)}}"}"""),
            // Millions of tiny list elements.
            ("runs/search", $$"""{"experiment_ids": [{{string.Join(',', Enumerable.Repeat("\"0\"", near / 4))}}]}"""),
            ("runs/log-batch", $$"""{"run_id": "{{runId}}", "metrics": [{{string.Join(',', Enumerable.Repeat("{}", near / 3))}}]}"""),
            // The largest legal request: a full log-batch (800 metrics, 100 params of 6000 and 100 tags of 8000 characters).
            ("runs/log-batch", FullLogBatch(runId)),
        ];
        await SendConcurrentlyAsync(shapes[^1].Rpc, shapes[^1].Body, 2); // warm up the paths being measured
        var before = ResidentMegabytes(pid);

        var peak = before;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, ResidentMegabytes(pid));
                await Task.Delay(10, CancellationToken.None);
            }
        });
        foreach (var (rpc, body) in shapes)
        {
            var statuses = await SendConcurrentlyAsync(rpc, body, 32);
            output.WriteLine($"{rpc} ({Encoding.UTF8.GetByteCount(body) / 1024} KiB): {string.Join(", ", statuses.GroupBy(s => s).Select(g => $"{g.Count()}x {(int)g.Key}"))}; peak so far {peak - before} MB over {before} MB");
            Assert.All(statuses, status => Assert.True((int)status < 500, $"{rpc} answered {(int)status}"));
        }
        await sampling.CancelAsync();
        await sampler;

        output.WriteLine($"API RSS before {before} MB, peak {peak} MB: +{peak - before} MB");
        Assert.True(peak - before <= 100, $"API RSS rose from {before} MB to {peak} MB");
    }

    [Fact]
    public async Task An_outage_is_logged_once_at_Warning_without_a_stack_trace_however_many_requests_it_fails()
    {
        var logs = new CapturedLogs();
        await using var api = new InProcessApi(new Dictionary<string, string?>
        {
            // Nothing listens on port 1: every request finds the database down.
            ["ConnectionStrings:registrydb"] = "Host=127.0.0.1;Port=1;Database=registrydb;Username=registry;Timeout=2",
            ["OTEL_SDK_DISABLED"] = "true",
        });
        await using var logged = api.WithWebHostBuilder(builder => builder.ConfigureLogging(logging => logging.AddProvider(logs)));
        using var http = logged.CreateClient();

        for (var i = 0; i < 20; i++)
        {
            await (await http.GetAsync(app.Tenants.ProjectId, "registered-models/get?name=x", app.Tenants.Developer))
                .ShouldBeMlflowErrorAsync(HttpStatusCode.ServiceUnavailable, "TEMPORARILY_UNAVAILABLE");
        }

        output.WriteLine(string.Join(Environment.NewLine, logs.Entries.Where(e => e.Level >= LogLevel.Warning)));
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error);
        var warnings = logs.Entries.Where(e => e.Level >= LogLevel.Warning && e.Category.StartsWith("Registry", StringComparison.Ordinal)).ToList();
        Assert.All(warnings, e => Assert.Null(e.Exception));
        // The background listeners (auth changes, artifact deletions) say once that they lost the database, as they should.
        Assert.All(warnings.GroupBy(e => e.Category), category => Assert.Single(category));
        var answered = Assert.Single(warnings, e => e.Message.Contains("TEMPORARILY_UNAVAILABLE", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, answered.Level);
    }

    [Fact]
    public async Task Not_implemented_is_logged_at_Warning_without_a_stack_trace()
    {
        var logs = new CapturedLogs();
        await using var api = Api();
        await using var logged = api.WithWebHostBuilder(builder => builder.ConfigureLogging(logging => logging.AddProvider(logs)));
        using var http = logged.CreateClient();

        for (var i = 0; i < 3; i++)
        {
            await (await http.SendRawAsync(HttpMethod.Post, $"/api/v4/projects/{app.Tenants.ProjectId}/ml/mlflow/api/2.0/mlflow-artifacts/mpu/create/x/big.bin",
                JsonContent.Create(new { path = "x/big.bin", num_parts = 3 }), app.Tenants.Developer)).ShouldBeMlflowErrorAsync(HttpStatusCode.NotImplemented, "NOT_IMPLEMENTED");
        }

        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error);
        var entry = Assert.Single(logs.Entries, e => e.Level >= LogLevel.Warning && e.Category.StartsWith("Registry", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Null(entry.Exception);
        Assert.Contains("NOT_IMPLEMENTED", entry.Message);
    }

    private async Task<List<HttpStatusCode>> SendConcurrentlyAsync(string rpc, string body, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var bytes = Encoding.UTF8.GetBytes(body);
        var responses = await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var response = await app.Http.SendRawAsync(HttpMethod.Post, MlflowHttp.Path(app.Tenants.ProjectId, rpc), content, app.Tenants.Developer)
                .WaitAsync(timeout.Token);
            return response.StatusCode;
        }));
        return [.. responses];
    }

    private static string FullLogBatch(string runId)
    {
        var metrics = Enumerable.Range(0, 800).Select(i => TrackingClient.Metric($"metric_{i:D3}_{new string('m', 230)}", i * 0.5, step: i));
        var parameters = Enumerable.Range(0, 100).Select(i => TrackingClient.Pair($"param_{i:D3}", new string('p', 6000)));
        var tags = Enumerable.Range(0, 100).Select(i => TrackingClient.Pair($"tag_{i:D3}", new string('t', 8000)));
        return JsonSerializer.Serialize(new { run_id = runId, metrics, @params = parameters, tags });
    }

    private static long ResidentMegabytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
    }

    private sealed class CapturedLogs : ILoggerProvider
    {
        public ConcurrentQueue<(LogLevel Level, string Category, string Message, Exception? Exception)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose() { }

        private sealed class Logger(CapturedLogs logs, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                logs.Entries.Enqueue((logLevel, category, formatter(state, exception), exception));
        }
    }
}
