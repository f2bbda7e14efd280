using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
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
    public static IApplicationBuilder UseFeatureGates(this IApplicationBuilder app)
    {
        var gates = app.ApplicationServices.GetRequiredService<ProjectFeatureGates>();
        return app.Use(async (context, next) =>
        {
            var gate = context.GetEndpoint()?.Metadata.GetMetadata<FeatureGate>();
            if (gate is not null && !await gates.IsEnabledAsync(gate.Flag, context.GetRouteValue("projectId") as string ?? ""))
            {
                await MlflowError.EndpointNotFound($"No API endpoint at {context.Request.Path}.").ExecuteAsync(context);
                return;
            }

            await next(context);
        });
    }
}

/// <summary>
/// The gates' decisions per project, remembered for as long as the flag's definition is the same object: the definition
/// provider builds a new one whenever the configuration or the Features API's gates change, and a definition (true,
/// false or one targeting filter, <see cref="OverriddenFeatureDefinitions"/>) decides a project the same way every time.
/// So every request still sees the current definition, but the package's evaluation (a targeting filter hashes the
/// project id per call) runs once per project and change instead of once per request.
/// </summary>
internal sealed class ProjectFeatureGates(IFeatureDefinitionProvider definitions, IFeatureManager features)
{
    /// <summary>Gates run before authentication: any caller can name any project id, so what is remembered is capped.</summary>
    private const int MaxRememberedProjects = 100_000;

    private readonly ConditionalWeakTable<FeatureDefinition, ConcurrentDictionary<string, bool>> _decisions = [];

    public async ValueTask<bool> IsEnabledAsync(string flag, string projectId)
    {
        var definition = await definitions.GetFeatureDefinitionAsync(flag);
        var decided = definition is null ? null : _decisions.GetValue(definition, _ => new ConcurrentDictionary<string, bool>(StringComparer.Ordinal));
        if (decided is not null && decided.TryGetValue(projectId, out var enabled))
        {
            return enabled;
        }
        // The package reads the definition again: it may be newer than the one this decision is kept under, which only
        // makes the kept decision newer than that definition, never older.
        enabled = await features.IsEnabledAsync(flag, new TargetingContext { UserId = projectId });
        if (decided is not null && decided.Count < MaxRememberedProjects)
        {
            decided[projectId] = enabled;
        }
        return enabled;
    }
}
