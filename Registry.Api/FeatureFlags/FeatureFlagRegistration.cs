using Microsoft.FeatureManagement;

namespace Registry.Api.FeatureFlags;

internal static class FeatureFlagRegistration
{
    /// <summary>Microsoft.FeatureManagement with the configuration's flags and the Features API's gates on top.</summary>
    public static IServiceCollection AddRegistryFeatureFlags(this IServiceCollection services)
    {
        services.AddSingleton<FeatureOverrides>();
        services.AddSingleton<OverriddenFeatureDefinitions>();
        // Registered before AddFeatureManagement, which then keeps it instead of the configuration-only provider.
        services.AddSingleton<IFeatureDefinitionProvider>(provider => provider.GetRequiredService<OverriddenFeatureDefinitions>());
        services.AddFeatureManagement();
        services.AddSingleton<ProjectFeatureGates>();
        services.AddOptions<FeatureManagementOptions>()
            .Validate<OverriddenFeatureDefinitions>((_, definitions) =>
            {
                foreach (var flag in FeatureFlagNames.All)
                {
                    definitions.CheckConfiguredAsync(flag).GetAwaiter().GetResult();
                }
                return true;
            })
            .ValidateOnStart();
        return services;
    }
}
