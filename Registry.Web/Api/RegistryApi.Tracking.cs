using System.Globalization;

namespace Registry.Web.Api;

/// <summary>Experiments, runs, metrics, logged models and artifacts.</summary>
public sealed partial class RegistryApi
{
    public Task<ExperimentList> SearchExperimentsAsync(long projectId, string? filter, string viewType, string? pageToken, CancellationToken ct) =>
        GetAsync<ExperimentList>(Mlflow(projectId) + "experiments/search?" +
            Query(("filter", filter), ("view_type", viewType), ("page_token", pageToken), ("max_results", "100"), ("order_by", "last_update_time DESC")), ct);

    /// <summary>Every experiment's id (active and deleted): what a search over runs of unknown experiments needs.</summary>
    public async Task<IReadOnlyList<string>> AllExperimentIdsAsync(long projectId, CancellationToken ct) =>
        [.. Lists.Of((await GetAsync<ExperimentList>(Mlflow(projectId) + "experiments/search?" + Query(("view_type", "ALL"), ("max_results", "50000")), ct)).Experiments)
            .Select(e => e.ExperimentId)];

    public async Task<Experiment> ExperimentAsync(long projectId, string experimentId, CancellationToken ct) =>
        (await GetAsync<ExperimentResponse>(Mlflow(projectId) + "experiments/get?" + Query(("experiment_id", experimentId)), ct)).Experiment;

    public Task<RunsPage> SearchRunsAsync(long projectId, IReadOnlyList<string> experimentIds, string? filter, string? orderBy, string? pageToken, int maxResults, CancellationToken ct) =>
        SendJsonAsync<RunsPage>(HttpMethod.Post, Mlflow(projectId) + "runs/search", new
        {
            experiment_ids = experimentIds,
            filter,
            order_by = orderBy is null ? null : new[] { orderBy },
            page_token = pageToken,
            max_results = maxResults,
            run_view_type = "ACTIVE_ONLY",
        }, ct);

    public async Task<Run> RunAsync(long projectId, string runId, CancellationToken ct) =>
        (await GetAsync<RunResponse>(Mlflow(projectId) + "runs/get?" + Query(("run_id", runId)), ct)).Run;

    /// <summary>At most <paramref name="maxPoints"/> points per run, spread evenly over the step range (MLflow's bulk-interval).</summary>
    public async Task<IReadOnlyList<MetricPoint>> MetricIntervalAsync(
        long projectId, IReadOnlyList<string> runIds, string key, long? startStep, long? endStep, int maxPoints, CancellationToken ct)
    {
        var query = string.Join('&', runIds.Select(r => "run_ids=" + Uri.EscapeDataString(r))) + "&" + Query(
            ("metric_key", key), ("max_results", maxPoints.ToString(CultureInfo.InvariantCulture)),
            ("start_step", startStep?.ToString(CultureInfo.InvariantCulture)), ("end_step", endStep?.ToString(CultureInfo.InvariantCulture)));
        return Lists.Of((await GetAsync<MetricPoints>(Mlflow(projectId) + "metrics/get-history-bulk-interval?" + query, ct)).Metrics);
    }

    public async Task<IReadOnlyList<FileInfo>> RunArtifactsAsync(long projectId, string runId, string? path, CancellationToken ct) =>
        Lists.Of((await GetAsync<FileList>(Mlflow(projectId) + "artifacts/list?" + Query(("run_id", runId), ("path", path)), ct)).Files);

    /// <summary>One level of the project's artifact storage (<c>mlflow-artifacts:/</c> paths without the scheme).</summary>
    public async Task<IReadOnlyList<FileInfo>> StoredArtifactsAsync(long projectId, string directory, CancellationToken ct) =>
        Lists.Of((await GetAsync<FileList>(Artifacts(projectId) + "?" + Query(("path", directory)), ct)).Files);

    /// <summary>A stored artifact's response, streamed; the caller disposes it. Range asks for a prefix only.</summary>
    public async Task<HttpResponseMessage> OpenArtifactAsync(long projectId, string path, long? firstBytes, CancellationToken ct)
    {
        var escaped = string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
        var request = new HttpRequestMessage(HttpMethod.Get, $"{Artifacts(projectId)}/{escaped}");
        if (firstBytes is { } length)
        {
            request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(0, length - 1);
        }
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        try
        {
            await EnsureSuccessAsync(response, ct);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public async Task<LoggedModel> LoggedModelAsync(long projectId, string modelId, CancellationToken ct) =>
        (await GetAsync<LoggedModelResponse>(Mlflow(projectId) + "logged-models/" + Uri.EscapeDataString(modelId), ct)).Model;

    public async Task<IReadOnlyList<LoggedModel>> SearchLoggedModelsAsync(long projectId, string experimentId, string? filter, CancellationToken ct) =>
        Lists.Of((await SendJsonAsync<LoggedModelsPage>(HttpMethod.Post, Mlflow(projectId) + "logged-models/search",
            new { experiment_ids = new[] { experimentId }, filter, max_results = 100 }, ct)).Models);
}
