using Registry.Tests.Infrastructure;
using static Registry.Tests.Infrastructure.TrackingClient;

namespace Registry.Tests.Tracking;

/// <summary>
/// The client retries writes after 5xx and timeouts; as in MLflow's SQL store, a metric point is (run, key, step, timestamp,
/// value), and logging the same point again stores nothing new.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class MetricReplayTests(RegistryAppFixture app)
{
    private readonly TrackingClient _tracking = new(app.Http, app.Tenants.ProjectId, app.Tenants.Developer);

    private async Task<string> RunAsync() => await _tracking.NewRunIdAsync(await _tracking.CreateExperimentAsync(MlflowHttp.UniqueName("replay")));

    private async Task<List<string>> HistoryAsync(string runId, string key) =>
        [.. (await (await _tracking.GetAsync($"metrics/get-history?run_id={runId}&metric_key={key}")).ShouldBeOkAsync())["metrics"]!.AsArray()
            .Select(m => $"{m!["step"]}@{m["timestamp"]}={m["value"]!.ToJsonString()}")];

    [Fact]
    public async Task A_replayed_log_batch_adds_no_points_NaN_and_infinities_included()
    {
        var runId = await RunAsync();
        object[] batch = [Metric("loss", 0.5, step: 1), Metric("loss", 0.25, step: 2), Metric("loss", "NaN", step: 3), Metric("loss", "Infinity", step: 4)];

        await (await _tracking.LogBatchAsync(runId, metrics: batch)).ShouldBeOkAsync();
        await (await _tracking.LogBatchAsync(runId, metrics: batch)).ShouldBeOkAsync();
        await (await _tracking.LogBatchAsync(runId, metrics: [.. batch, .. batch])).ShouldBeOkAsync();

        Assert.Equal(["1@1700000000000=0.5", "2@1700000000000=0.25", "3@1700000000000=\"NaN\"", "4@1700000000000=\"Infinity\""], await HistoryAsync(runId, "loss"));
    }

    [Fact]
    public async Task A_replayed_log_metric_adds_no_point_but_another_value_or_time_is_a_new_point()
    {
        var runId = await RunAsync();

        foreach (var (value, timestamp) in new[] { (0.5, 1L), (0.5, 1L), (0.7, 1L), (0.5, 2L), (0.5, 1L) })
        {
            await (await _tracking.PostAsync("runs/log-metric", new { run_id = runId, key = "acc", value, timestamp, step = 0 })).ShouldBeOkAsync();
        }

        Assert.Equal(["0@1=0.5", "0@1=0.7", "0@2=0.5"], await HistoryAsync(runId, "acc"));
    }

    [Fact]
    public Task Concurrent_replays_of_one_batch_store_each_point_once() =>
        ConcurrencyScenarios.ReplaysOfOneBatchStoreEachPointOnceAsync(_ => app.Http, app.Tenants);

    [Fact]
    public async Task Concurrent_batches_leave_the_highest_step_then_timestamp_then_value_as_the_latest_whatever_their_order()
    {
        var runId = await RunAsync();
        await (await _tracking.LogBatchAsync(runId, metrics: [Metric("loss", 9.0, step: 100), Metric("tie", 0.0, step: 7, timestamp: 3)])).ShouldBeOkAsync();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => _tracking.LogBatchAsync(runId, metrics:
        [
            .. Enumerable.Range(0, 10).Select(s => Metric("loss", i, step: (i * 10) + s)),
            Metric("tie", i, step: 7, timestamp: i % 2 == 0 ? 3 : 2),
        ]))).WaitAsync(timeout.Token);

        foreach (var response in responses)
        {
            await response.ShouldBeOkAsync();
        }
        var latest = (await _tracking.GetRunAsync(runId))["data"]!["metrics"]!.AsArray().ToDictionary(m => (string)m!["key"]!, m => m!);
        Assert.Equal((159L, 15.0), ((long)latest["loss"]["step"]!, (double)latest["loss"]["value"]!));
        Assert.Equal((3L, 14.0), ((long)latest["tie"]["timestamp"]!, (double)latest["tie"]["value"]!));
    }

    [Fact]
    public async Task History_pages_through_points_that_share_a_step_and_timestamp()
    {
        var runId = await RunAsync();
        await (await _tracking.LogBatchAsync(runId, metrics: [.. new object[] { "NaN", 3.0, "-Infinity", 1.0, 2.0 }.Select(v => Metric("same", v))])).ShouldBeOkAsync();

        var values = new List<string>();
        string? token = null;
        do
        {
            var page = await (await _tracking.GetAsync($"metrics/get-history?run_id={runId}&metric_key=same&max_results=2{(token is null ? "" : $"&page_token={token}")}")).ShouldBeOkAsync();
            values.AddRange(page["metrics"]!.AsArray().Select(m => m!["value"]!.ToJsonString()));
            token = (string?)page["next_page_token"];
        }
        while (token is not null);

        Assert.Equal(["\"-Infinity\"", "1", "2", "3", "\"NaN\""], values);
    }
}
