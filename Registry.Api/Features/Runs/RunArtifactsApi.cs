using Microsoft.AspNetCore.Http.HttpResults;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Artifacts;
using Registry.Api.Mlflow.Tracking;

namespace Registry.Api.Features.Runs;

internal static class RunArtifactsApi
{
    public static RouteGroupBuilder MapRunArtifacts(this RouteGroupBuilder mlflow)
    {
        mlflow.MapGet("artifacts/list", ListRun);
        return mlflow;
    }

    /// <summary><c>artifacts/list</c> of the tracking API: a run's artifacts, paths relative to the run's artifact root.</summary>
    private static async Task<Results<Ok<ListArtifactsResponse>, MlflowError>> ListRun(
        long projectId, HttpRequest http, RunStore runs, IArtifactStore store, CancellationToken cancellationToken)
    {
        var runId = TrackingValidation.RunId(http.String("run_id"), http.String("run_uuid"));
        var directory = ArtifactPath.Normalize(http.String("path"), allowEmpty: true);
        var run = await runs.FindAsync(projectId, runId, cancellationToken);
        if (run.Error is { } error)
        {
            return error;
        }
        return TypedResults.Ok(await store.ListUnderAsync(projectId, run.Value.Info.ArtifactUri, directory, cancellationToken));
    }
}
