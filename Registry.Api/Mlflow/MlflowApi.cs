using Registry.Api.Auth;
using Registry.Api.FeatureFlags;
using Registry.Api.Features.Artifacts;
using Registry.Api.Features.Experiments;
using Registry.Api.Features.LoggedModels;
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
    public const string ArtifactsPrefix = "/api/v4/projects/{projectId}/ml/mlflow/api/2.0/mlflow-artifacts";

    /// <summary>
    /// The per-project MLflow namespaces, as GitLab has them: the tracking and registry API, and the artifact proxy.
    /// Each group carries the feature gate, authentication and project access; the slices below never re-check them.
    /// </summary>
    public static IEndpointRouteBuilder MapMlflow(this IEndpointRouteBuilder app)
    {
        var scope = ProjectScoped(app, ProjectPrefix);
        MapUnknownEndpoints(scope);
        var mlflow = Operations(scope);
        mlflow.MapRegisteredModels();
        mlflow.MapModelVersions();
        mlflow.MapAliasesAndLatest();
        mlflow.MapExperiments();
        mlflow.MapRuns();
        mlflow.MapMetrics();
        mlflow.MapRunArtifacts();
        mlflow.MapLoggedModels();

        var artifactScope = ProjectScoped(app, ArtifactsPrefix);
        MapUnknownEndpoints(artifactScope);
        Operations(artifactScope).MapArtifactProxy();
        return app;
    }

    /// <summary>The operations of a scope, each in its own span; unknown endpoints are no operation.</summary>
    private static RouteGroupBuilder Operations(RouteGroupBuilder scope) => scope.MapGroup("").AddEndpointFilter<OperationSpans>();

    private static RouteGroupBuilder ProjectScoped(IEndpointRouteBuilder app, string prefix) => app.MapGroup(prefix)
        .RequireFeature(FeatureFlagNames.MlExperimentTracking)
        .RequireAuthorization(AccessPolicies.MlflowProject)
        .WithTags("MLflow")
        .ProducesMlflowErrors(401, 403, 404);

    /// <summary>
    /// The client falls back (e.g. get-latest-versions from POST to GET) only on ENDPOINT_NOT_FOUND, never on 405. It
    /// reads nothing and writes nothing, so whoever may read the project is told, whatever the verb.
    /// </summary>
    private static void MapUnknownEndpoints(RouteGroupBuilder group) =>
        group.Map("{**unknown}", (HttpContext context) =>
            MlflowError.EndpointNotFound($"No API endpoint for {context.Request.Method} {context.Request.Path}.")).Reads();
}
