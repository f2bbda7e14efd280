using Microsoft.FeatureManagement;
using Microsoft.FeatureManagement.FeatureFilters;
using Registry.Api.Mlflow;

namespace Registry.Api.FeatureFlags;

public static class FeatureFlagNames
{
    public const string MlExperimentTracking = "ml_experiment_tracking";

    /// <summary>Every flag this server has: the ones the Features API may set.</summary>
    public static readonly IReadOnlyList<string> All = [MlExperimentTracking];
}

/// <summary>Endpoint metadata: the endpoint exists only while <see cref="Flag"/> is on for the route's project.</summary>
internal sealed record FeatureGate(string Flag);

internal static class FeatureGateExtensions
{
    /// <summary>
    /// Gates a whole group. Unlike the package's <c>WithFeatureGate</c> filter, which runs after authentication and
    /// body binding and answers a bare 404, this is checked first, so a disabled endpoint looks absent to everyone.
    /// </summary>
    public static TBuilder RequireFeature<TBuilder>(this TBuilder builder, string flag) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new FeatureGate(flag));

    /// <summary>Evaluates the gate per project, as GitLab's <c>Feature.enabled?(flag, project)</c>: the targeting "user" is the project id.</summary>
    public static IApplicationBuilder UseFeatureGates(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var gate = context.GetEndpoint()?.Metadata.GetMetadata<FeatureGate>();
        if (gate is not null)
        {
            var features = context.RequestServices.GetRequiredService<IFeatureManager>();
            var project = new TargetingContext { UserId = context.GetRouteValue("projectId") as string ?? "" };
            if (!await features.IsEnabledAsync(gate.Flag, project))
            {
                await MlflowError.EndpointNotFound($"No API endpoint at {context.Request.Path}.").ExecuteAsync(context);
                return;
            }
        }

        await next(context);
    });
}
