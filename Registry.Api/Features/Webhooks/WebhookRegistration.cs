using Registry.Api.Auth;

namespace Registry.Api.Features.Webhooks;

internal static class WebhookRegistration
{
    /// <summary>Settings, secret encryption, the safe delivery client, the stores and the dispatcher (which hears the database's notifications).</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.Schemes.Count > 0 && o.Schemes.All(s => s is "http" or "https"), "Registry:Webhooks:AllowedSchemes may name only http and https.")
            .ValidateOnStart();
        SecretProtection.AddTo(services);
        services.AddSingleton<SafeTargets>();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<WebhookStore>();
        services.AddSingleton<DeliveryStore>();
        services.AddSingleton<DispatchStore>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddSingleton<INotificationChannel>(provider => provider.GetRequiredService<WebhookDispatcher>());
        services.AddHostedService(provider => provider.GetRequiredService<WebhookDispatcher>());
        return services;
    }
}
