using Registry.Tests.Infrastructure;
using static Registry.Tests.Infrastructure.TrackingClient;

namespace Registry.Tests.Tracking;

/// <summary>metrics/get-history pages are written by hand (MetricHistoryPage); their bytes must stay what clients parse.</summary>
[Collection(RegistryCollection.Name)]
public sealed class MetricHistoryTests(RegistryAppFixture app)
{
    private readonly TrackingClient _tracking = new(app.Http, app.Tenants.ProjectId, app.Tenants.Developer);

    [Fact]
    public async Task History_pages_are_written_byte_for_byte_with_non_finite_values_as_strings()
    {
        var runId = await _tracking.NewRunIdAsync(await _tracking.CreateExperimentAsync(MlflowHttp.UniqueName("history-bytes")));
        const string key = "val loss/top-1.x";
        await (await _tracking.LogBatchAsync(runId, metrics:
            [Metric(key, 0.5, step: 1, timestamp: 11), Metric(key, "NaN", step: 2, timestamp: 12), Metric(key, -2.125, step: 3, timestamp: 13),
             Metric(key, "Infinity", step: 4, timestamp: 14), Metric(key, "-Infinity", step: 5, timestamp: 15)])).ShouldBeOkAsync();
        var url = $"metrics/get-history?run_id={runId}&metric_key={Uri.EscapeDataString(key)}&max_results=3";

        var first = await (await _tracking.GetAsync(url)).Content.ReadAsStringAsync();
        var token = (string)JsonNode.Parse(first)!["next_page_token"]!;
        var second = await (await _tracking.GetAsync($"{url}&page_token={token}")).Content.ReadAsStringAsync();

        Assert.Equal(
            """{"metrics":[{"key":"val loss/top-1.x","value":0.5,"timestamp":11,"step":1},{"key":"val loss/top-1.x","value":"NaN","timestamp":12,"step":2},"""
            + """{"key":"val loss/top-1.x","value":-2.125,"timestamp":13,"step":3}],"next_page_token":""" + $"\"{token}\"}}", first);
        Assert.Equal(
            """{"metrics":[{"key":"val loss/top-1.x","value":"Infinity","timestamp":14,"step":4},{"key":"val loss/top-1.x","value":"-Infinity","timestamp":15,"step":5}]}""",
            second);
    }
}
