using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Registry.Api.Auth;
using Registry.Api.FeatureFlags;
using Registry.Api.Mlflow;

namespace Registry.Api.Features.FeatureGates;

/// <summary>
/// GitLab's Features API for administrators: feature flags set at runtime, kept in PostgreSQL, overriding the API's
/// configuration (<see cref="OverriddenFeatureDefinitions"/>) in every API process within a second.
/// </summary>
internal static class FeaturesApi
{
    public static IEndpointRouteBuilder MapFeatures(this IEndpointRouteBuilder app)
    {
        var features = app.MapGroup("/api/v4/features").RequireAuthorization(AccessPolicies.Administrator)
            .WithTags("Administration").ProducesMlflowErrors(401, 403);
        features.MapGet("", List);
        features.MapPost("{name}", Set);
        features.MapDelete("{name}", Delete);
        return app;
    }

    private static async Task<Ok<List<FeatureDto>>> List(FeatureGateStore store, OverriddenFeatureDefinitions definitions, CancellationToken ct)
    {
        var gates = await store.AllAsync(ct);
        var features = new List<FeatureDto>();
        foreach (var flag in FeatureFlagNames.All)
        {
            features.Add(await DescribeAsync(flag, gates.GetValueOrDefault(flag, FlagOverrides.None), definitions));
        }
        return TypedResults.Ok(features);
    }

    private static async Task<Results<Ok<FeatureDto>, MlflowError>> Set(
        string name, SetFeatureGateRequest request, FeatureGateStore store, OverriddenFeatureDefinitions definitions, CancellationToken ct)
    {
        if (!FeatureFlagNames.All.Contains(name))
        {
            return UnknownFlag(name);
        }
        var gates = await store.SetAsync(name, request.ProjectId, request.Enabled, ct);
        return gates.Error is { } error ? error : TypedResults.Ok(await DescribeAsync(name, gates.Value, definitions));
    }

    private static async Task<Results<NoContent, MlflowError>> Delete(string name, FeatureGateStore store, CancellationToken ct)
    {
        if (!FeatureFlagNames.All.Contains(name))
        {
            return UnknownFlag(name);
        }
        await store.DeleteAsync(name, ct);
        return TypedResults.NoContent();
    }

    private static MlflowError UnknownFlag(string name) => MlflowError.ResourceDoesNotExist(
        $"Feature flag '{(name.Length > 64 ? name[..64] + "..." : name)}' does not exist; this server has {string.Join(", ", FeatureFlagNames.All)}.");

    private static async Task<FeatureDto> DescribeAsync(string flag, FlagOverrides gates, OverriddenFeatureDefinitions definitions)
    {
        var list = new List<FeatureGateDto>();
        if (gates.Global is { } everyone)
        {
            list.Add(new FeatureGateDto("boolean", JsonValue.Create(everyone)));
        }
        foreach (var (key, enabled) in new[] { ("actors", true), ("disabled_actors", false) })
        {
            var projects = gates.Projects.Where(g => g.Value == enabled).Select(g => g.Key).Order().Select(id => JsonValue.Create($"Project:{id}")).ToArray<JsonNode?>();
            if (projects.Length > 0)
            {
                list.Add(new FeatureGateDto(key, new JsonArray(projects)));
            }
        }
        return new FeatureDto(flag, await definitions.StateAsync(flag, gates), list);
    }
}
