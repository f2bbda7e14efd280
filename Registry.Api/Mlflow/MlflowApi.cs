using Registry.Api.Auth;
using Registry.Api.FeatureFlags;

namespace Registry.Api.Mlflow;

internal static class MlflowApi
{
    /// <summary>
    /// The per-project MLflow namespace, as GitLab has it. Its group carries the feature gate, authentication and
    /// project access; the slices below never re-check them.
    /// </summary>
    public const string ProjectPrefix = "/api/v4/projects/{projectId}/ml/mlflow/api/2.0/mlflow";

    /// <summary>The per-project artifact proxy, scoped like <see cref="ProjectPrefix"/>.</summary>
    public const string ArtifactsPrefix = "/api/v4/projects/{projectId}/ml/mlflow/api/2.0/mlflow-artifacts";

    /// <summary>The operations of a scope, each in its own span; unknown endpoints are no operation.</summary>
    public static RouteGroupBuilder Operations(RouteGroupBuilder scope) => scope.MapGroup("").WithOperationSpans();

    public static RouteGroupBuilder ProjectScoped(IEndpointRouteBuilder app, string prefix) => app.MapGroup(prefix)
        .RequireFeature(FeatureFlagNames.MlExperimentTracking)
        .RequireAuthorization(AccessPolicies.MlflowProject)
        .WithTags("MLflow")
        .ProducesMlflowErrors(401, 403, 404);

    /// <summary>
    /// The client falls back (e.g. get-latest-versions from POST to GET) only on ENDPOINT_NOT_FOUND, never on 405. It
    /// reads nothing and writes nothing, so whoever may read the project is told, whatever the verb.
    /// </summary>
    public static void MapUnknownEndpoints(RouteGroupBuilder group) =>
        group.Map("{**unknown}", (HttpContext context) =>
            MlflowError.EndpointNotFound($"No API endpoint for {context.Request.Method} {context.Request.Path}.")).Reads();
}
