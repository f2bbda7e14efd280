namespace Registry.Api.Features.Audit;

internal static class AuditRegistration
{
    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddOptions<AuditOptions>().BindConfiguration(AuditOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<AuditStore>();
        services.AddHostedService<AuditRetention>();
        return services;
    }
}
