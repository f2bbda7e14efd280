using System.Net.Http.Headers;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Web;

/// <summary>What the browser tests look at, created through the public API as the project's Developer would.</summary>
public sealed class WebSeed(RegistryAppFixture app)
{
    private TestToken Developer => app.Tenants.Developer;
    private long ProjectId => app.Tenants.ProjectId;

    public TrackingClient Tracking => new(app.Http, ProjectId, Developer);
    public ModelVersionClient Versions => new(app.Http, ProjectId, Developer);

    public sealed record SeededRun(string ExperimentId, string RunId, string Name, string ArtifactRoot);

    /// <summary>A run with <paramref name="points"/> points of <paramref name="metric"/> (steps 0..n-1), two params and a tag.</summary>
    public async Task<SeededRun> RunAsync(string experimentId, string name, string metric = "loss", int points = 20, string lr = "0.01")
    {
        var run = await Tracking.CreateRunAsync(experimentId, name);
        var runId = (string)run["info"]!["run_id"]!;
        var root = ((string)run["info"]!["artifact_uri"]!)["mlflow-artifacts:/".Length..];
        for (var start = 0; start < points; start += 1000)
        {
            var batch = Enumerable.Range(start, Math.Min(1000, points - start))
                .Select(step => TrackingClient.Metric(metric, Math.Exp(-step / 100.0), step, 1_700_000_000_000 + step * 1000L)).ToArray();
            (await Tracking.LogBatchAsync(runId, metrics: batch)).EnsureSuccessStatusCode();
        }
        (await Tracking.LogBatchAsync(runId, parameters: [TrackingClient.Pair("lr", lr), TrackingClient.Pair("epochs", "10")],
            tags: [TrackingClient.Pair("team", "risk")])).EnsureSuccessStatusCode();
        return new(experimentId, runId, name, root);
    }

    public async Task UploadAsync(string storagePath, string content)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v4/projects/{ProjectId}/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/{storagePath}")
        {
            Content = new StringContent(content),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Developer.Value);
        (await app.Http.SendAsync(request)).EnsureSuccessStatusCode();
    }

    /// <summary>A model with <paramref name="versions"/> versions made from the run's "model" directory.</summary>
    public async Task<string> ModelAsync(string name, SeededRun run, int versions = 2, string? description = null)
    {
        await Versions.Models.CreateAsync(name, description, ("team", "risk"));
        for (var i = 0; i < versions; i++)
        {
            await Versions.CreateAsync(name, $"mlflow-artifacts:/{run.ArtifactRoot}/model", run.RunId);
        }
        return name;
    }
}
