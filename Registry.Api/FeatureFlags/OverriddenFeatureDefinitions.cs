using System.Runtime.CompilerServices;
using Microsoft.FeatureManagement;
using Microsoft.FeatureManagement.FeatureFilters;

namespace Registry.Api.FeatureFlags;

/// <summary>
/// Microsoft.FeatureManagement's definitions of the flags: the configuration's, with what the Features API set on top
/// (<see cref="FeatureOverrides"/>). For a project, its own gate decides; else the gate for every project; else the
/// configuration. Overrides are expressed as the targeting filter's audience (the targeting "user" is the project id),
/// so the package evaluates them itself; a definition is built once per change, not per request.
/// </summary>
internal sealed class OverriddenFeatureDefinitions(IConfiguration configuration, FeatureOverrides overrides) : IFeatureDefinitionProvider
{
    private const string Targeting = "Microsoft.Targeting";

    private readonly ConfigurationFeatureDefinitionProvider _configured = new(configuration);
    private readonly ConditionalWeakTable<FlagOverrides, Built> _built = [];

    public async Task<FeatureDefinition?> GetFeatureDefinitionAsync(string featureName)
    {
        var configured = await _configured.GetFeatureDefinitionAsync(featureName);
        var gates = await overrides.ForAsync(featureName);
        if (gates.IsEmpty)
        {
            return configured;
        }
        var built = _built.GetValue(gates, g => new Built(configured, Override(featureName, configured, g)));
        if (!ReferenceEquals(built.From, configured))
        {
            // The configuration was reloaded since.
            built = new Built(configured, Override(featureName, configured, gates));
            _built.AddOrUpdate(gates, built);
        }
        return built.Definition;
    }

    public async IAsyncEnumerable<FeatureDefinition> GetAllFeatureDefinitionsAsync()
    {
        await foreach (var configured in _configured.GetAllFeatureDefinitionsAsync())
        {
            yield return (await GetFeatureDefinitionAsync(configured.Name))!;
        }
    }

    /// <summary><c>on</c> or <c>off</c> for every project, or <c>conditional</c>: what the Features API reports.</summary>
    public async Task<string> StateAsync(string featureName, FlagOverrides gates)
    {
        var audience = EffectiveAudience(featureName, await _configured.GetFeatureDefinitionAsync(featureName), gates);
        var excludes = audience.Exclusion?.Users?.Any() == true || audience.Exclusion?.Groups?.Any() == true;
        var includes = audience.Users?.Any() == true || audience.Groups?.Any(g => g.RolloutPercentage > 0) == true;
        return audience.DefaultRolloutPercentage >= 100 && !excludes ? "on"
            : audience.DefaultRolloutPercentage <= 0 && !includes ? "off"
            : "conditional";
    }

    /// <summary>Throws when the configuration of a flag has a shape that gates cannot be combined with.</summary>
    public async Task CheckConfiguredAsync(string featureName) =>
        EffectiveAudience(featureName, await _configured.GetFeatureDefinitionAsync(featureName), FlagOverrides.None);

    private static FeatureDefinition Override(string featureName, FeatureDefinition? configured, FlagOverrides gates) => new()
    {
        Name = featureName,
        EnabledFor = [new FeatureFilterConfiguration { Name = Targeting, Parameters = AsParameters(EffectiveAudience(featureName, configured, gates)) }],
    };

    /// <summary>The audience that the gates and the configuration give together.</summary>
    private static Audience EffectiveAudience(string featureName, FeatureDefinition? configured, FlagOverrides gates)
    {
        var audience = gates.Global is { } everyone ? new Audience { DefaultRolloutPercentage = everyone ? 100 : 0 } : ConfiguredAudience(featureName, configured);
        var on = gates.Projects.Where(g => g.Value).Select(g => Id(g.Key)).ToHashSet();
        var off = gates.Projects.Where(g => !g.Value).Select(g => Id(g.Key)).ToHashSet();
        audience.Users = [.. (audience.Users ?? []).Where(u => !off.Contains(u)).Union(on)];
        audience.Exclusion ??= new BasicAudience();
        audience.Exclusion.Users = [.. (audience.Exclusion.Users ?? []).Where(u => !on.Contains(u)).Union(off)];
        return audience;
    }

    /// <summary>What the configuration says for every project: true, false (or absent), or one targeting filter.</summary>
    private static Audience ConfiguredAudience(string featureName, FeatureDefinition? configured)
    {
        var filters = configured?.EnabledFor?.ToList() ?? [];
        return filters switch
        {
            [] => new Audience { DefaultRolloutPercentage = 0 },
            [{ Name: "AlwaysOn" or "On" }] => new Audience { DefaultRolloutPercentage = 100 },
            [{ Name: Targeting or "Targeting" } targeting] => targeting.Parameters.Get<TargetingFilterSettings>()?.Audience ?? new Audience(),
            _ => throw new InvalidOperationException(
                $"FeatureManagement:{featureName} is configured with filters ({string.Join(", ", filters.Select(f => f.Name))}) that the " +
                $"Features API cannot override; configure it as true, false or one {Targeting} filter."),
        };
    }

    private static string Id(long projectId) => projectId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static IConfiguration AsParameters(Audience audience)
    {
        var values = new Dictionary<string, string?>
        {
            ["Audience:DefaultRolloutPercentage"] = audience.DefaultRolloutPercentage.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        Add(values, "Audience:Users", audience.Users);
        Add(values, "Audience:Exclusion:Users", audience.Exclusion?.Users);
        Add(values, "Audience:Exclusion:Groups", audience.Exclusion?.Groups);
        var groups = audience.Groups?.ToList() ?? [];
        for (var i = 0; i < groups.Count; i++)
        {
            values[$"Audience:Groups:{i}:Name"] = groups[i].Name;
            values[$"Audience:Groups:{i}:RolloutPercentage"] = groups[i].RolloutPercentage.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }

    private static void Add(Dictionary<string, string?> values, string key, IEnumerable<string>? items)
    {
        var index = 0;
        foreach (var item in items ?? [])
        {
            values[$"{key}:{index++}"] = item;
        }
    }

    private sealed record Built(FeatureDefinition? From, FeatureDefinition Definition);
}
