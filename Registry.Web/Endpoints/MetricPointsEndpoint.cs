using Registry.Web.Api;

namespace Registry.Web.Endpoints;

/// <summary>
/// Chart data for the page's script, from our own origin so the token stays in the session: one bulk-interval call for
/// up to 10 runs, at most 1000 points per run spread over the requested step range (the chart asks again on zoom).
/// </summary>
public static class MetricPointsEndpoint
{
    public const int MaxPointsPerRun = 1000;
    public const int MaxRuns = 10;

    public static IEndpointRouteBuilder MapMetricPoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ui/projects/{projectId:long}/metric-points", GetAsync).RequireAuthorization();
        return app;
    }

    private static async Task<IResult> GetAsync(long projectId, string? runs, string? key, long? start, long? end, RegistryApi api, CancellationToken ct)
    {
        string[] runIds = [.. (runs ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct()];
        if (runIds.Length is 0 or > MaxRuns || string.IsNullOrEmpty(key))
        {
            return TypedResults.BadRequest(new { message = $"Name 1 to {MaxRuns} runs and a metric key." });
        }
        try
        {
            var points = await api.MetricIntervalAsync(projectId, runIds, key, start, end, MaxPointsPerRun, ct);
            var series = runIds.Select(run =>
            {
                var mine = points.Where(p => p.RunId == run).ToList();
                return new Series(run, [.. mine.Select(p => p.Step)], [.. mine.Select(p => p.Timestamp)], [.. mine.Select(p => Finite(p.Value))]);
            });
            return TypedResults.Json(new { key, max_points = MaxPointsPerRun, runs = series }, RegistryApi.Json);
        }
        catch (ApiException e)
        {
            return TypedResults.Json(new { error_code = e.ErrorCode, message = e.Message }, RegistryApi.Json, statusCode: (int)e.Status);
        }
    }

    /// <summary>JSON has no NaN or infinity: the chart draws those as gaps.</summary>
    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    private sealed record Series(string RunId, long[] Steps, long[] Timestamps, double?[] Values);
}
