namespace Registry.Api.Features.Artifacts;

internal static class ArtifactStoreRegistration
{
    /// <summary><c>Registry:Artifacts:Storage</c>: <c>file</c> (default) or <c>s3</c>.</summary>
    public static IServiceCollection AddArtifactStore(this IServiceCollection services, IConfiguration configuration)
    {
        var storage = configuration["Registry:Artifacts:Storage"] ?? "file";
        return storage.ToLowerInvariant() switch
        {
            "file" => services.AddSingleton<IArtifactStore, FileArtifactStore>(),
            "s3" => services.AddSingleton<IArtifactStore, S3ArtifactStore>(),
            _ => throw new InvalidOperationException($"Registry:Artifacts:Storage is '{storage}'; use file or s3."),
        };
    }
}
