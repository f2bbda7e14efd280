using Microsoft.AspNetCore.Http.HttpResults;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Tracking;

namespace Registry.Api.Features.Runs;

internal static class MetricsApi
{
    public const int MaxBulkRuns = 100;
    public const int DefaultBulkPointsPerRun = 320;
    public const int MaxBulkPointsPerRun = 1000;

    public static RouteGroupBuilder MapMetrics(this RouteGroupBuilder mlflow)
    {
        var metrics = mlflow.MapGroup("metrics");
        metrics.MapGet("get-history", History).Produces<MetricHistoryResponse>();
        metrics.MapGet("get-history-bulk-interval", BulkInterval);
        return mlflow;
    }

    /// <summary>Pages of at most 25,000 points; a larger max_results is served in pages too (follow next_page_token).</summary>
    private static async Task<Results<MetricHistoryPage, MlflowError>> History(long projectId, HttpRequest http, MetricHistoryStore store, CancellationToken cancellationToken)
    {
        var runId = TrackingValidation.RunId(http.String("run_id"), http.String("run_uuid"));
        var key = Keys.Validate(http.String("metric_key"), "metric");
        var maxResults = http.Int("max_results") switch
        {
            null => MetricHistoryStore.MaxPage,
            < 1 => throw TrackingValidation.Invalid("max_results must be positive."),
            { } requested => Math.Min(requested, MetricHistoryStore.MaxPage),
        };

        var cursor = await store.OpenHistoryAsync(projectId, runId, key, maxResults, http.String("page_token"), cancellationToken);
        return cursor.Error is { } error ? error : new MetricHistoryPage(cursor.Value, key, maxResults);
    }

    private static async Task<Results<Ok<MetricsWithRunIdResponse>, MlflowError>> BulkInterval(
        long projectId, HttpRequest http, MetricHistoryStore store, CancellationToken cancellationToken)
    {
        string[] runIds = [.. http.Strings("run_ids").Distinct()];
        if (runIds.Length is 0 or > MaxBulkRuns)
        {
            return MlflowError.InvalidParameterValue($"run_ids must name between 1 and {MaxBulkRuns} runs; got {runIds.Length}.");
        }
        var key = Keys.Validate(http.String("metric_key"), "metric");
        var maxResults = http.Int("max_results") ?? DefaultBulkPointsPerRun;
        if (maxResults is < 1 or > MaxBulkPointsPerRun)
        {
            return MlflowError.InvalidParameterValue($"max_results must be between 1 and {MaxBulkPointsPerRun}.");
        }
        var (start, end) = (http.Long("start_step"), http.Long("end_step"));
        if (start > end)
        {
            return MlflowError.InvalidParameterValue("start_step must not be greater than end_step.");
        }

        return TypedResults.Ok(new MetricsWithRunIdResponse(await store.BulkIntervalAsync(projectId, runIds, key, start, end, maxResults, cancellationToken)));
    }
}
