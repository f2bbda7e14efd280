using Registry.Api.Auth;
using Registry.Api.FeatureFlags;
using Registry.Api.Features.Experiments;
using Registry.Api.Features.ModelVersions;
using Registry.Api.Features.Runs;
using Registry.Api.Features.RegisteredModels;

namespace Registry.Api.Mlflow;

internal static class MlflowApi
{
    public const string ProjectPrefix = "/api/v4/projects/{projectId}/ml/mlflow/api/2.0/mlflow";

    /// <summary>
    /// The per-project MLflow namespace, as GitLab has it. The group carries the feature gate, authentication and
    /// project access; the slices below never re-check them.
    /// </summary>
    public static IEndpointRouteBuilder MapMlflow(this IEndpointRouteBuilder app)
    {
        var mlflow = app.MapGroup(ProjectPrefix)
            .RequireFeature(FeatureFlagNames.MlExperimentTracking)
            .RequireAuthorization(ProjectMemberRequirement.PolicyName)
            .WithTags("MLflow")
            .ProducesMlflowErrors(401, 403, 404);

        mlflow.MapRegisteredModels();
        mlflow.MapModelVersions();
        mlflow.MapAliasesAndLatest();
        mlflow.MapExperiments();
        mlflow.MapRuns();
        mlflow.MapMetrics();

        // The client falls back (e.g. get-latest-versions from POST to GET) only on ENDPOINT_NOT_FOUND, never on 405.
        mlflow.Map("{**unknown}", (HttpContext context) =>
            MlflowError.EndpointNotFound($"No API endpoint for {context.Request.Method} {context.Request.Path}."));

        return app;
    }
}
