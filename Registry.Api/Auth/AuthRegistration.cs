using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Authentication;

namespace Registry.Api.Auth;

internal static class AuthRegistration
{
    /// <summary>Personal access tokens, their cache and its invalidation, authorization policies and rate limits.</summary>
    public static IServiceCollection AddRegistryAuth(this IServiceCollection services)
    {
        services.AddAuthOptions().ValidateOnStart();
        services.AddSingleton<AccessLookup>();
        services.AddSingleton<IAuthCacheInvalidation>(provider => provider.GetRequiredService<AccessLookup>());
        services.AddSingleton<AuthChangeListener>();
        services.AddHostedService(provider => provider.GetRequiredService<AuthChangeListener>());
        services.AddAuthentication(PersonalAccessTokenHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, PersonalAccessTokenHandler>(PersonalAccessTokenHandler.SchemeName, null);
        services.AddRegistryAuthorization();
        services.AddRegistryRateLimiting();
        return services;
    }

    /// <summary><c>Registry:Auth</c>, bound and validated the same way for the API and the admin CLI.</summary>
    public static OptionsBuilder<AuthOptions> AddAuthOptions(this IServiceCollection services) =>
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.DefaultTokenLifetimeDays <= o.MaxTokenLifetimeDays, "Registry:Auth:DefaultTokenLifetimeDays may not exceed MaxTokenLifetimeDays.");
}
