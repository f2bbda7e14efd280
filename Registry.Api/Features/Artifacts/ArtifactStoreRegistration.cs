using Microsoft.Extensions.Options;
using Registry.Api.Mlflow.Artifacts;

namespace Registry.Api.Features.Artifacts;

internal static class ArtifactStoreRegistration
{
    /// <summary><c>Registry:Artifacts</c>; its <c>Storage</c> chooses the store: <c>file</c> (default) or <c>s3</c>.</summary>
    public static IServiceCollection AddArtifactStore(this IServiceCollection services)
    {
        services.AddOptions<ArtifactOptions>().BindConfiguration(ArtifactOptions.Section)
            .Validate(o => IsS3(o) || o.Storage.Equals("file", StringComparison.OrdinalIgnoreCase),
                "Registry:Artifacts:Storage must be file or s3.")
            .ValidateOnStart();
        services.AddSingleton<ArtifactAudit>();
        return services.AddSingleton<IArtifactStore>(provider => IsS3(provider.GetRequiredService<IOptions<ArtifactOptions>>().Value)
            ? ActivatorUtilities.CreateInstance<S3ArtifactStore>(provider)
            : ActivatorUtilities.CreateInstance<FileArtifactStore>(provider));
    }

    private static bool IsS3(ArtifactOptions options) => options.Storage.Equals("s3", StringComparison.OrdinalIgnoreCase);
}
