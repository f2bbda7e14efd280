using Microsoft.Extensions.Configuration;

namespace Registry.AppHost.Artifacts;

internal static class ArtifactStorage
{
    public const string Volume = "registry-artifacts";
    public const string VolumePath = "/var/lib/registry/artifacts";

    /// <summary>
    /// Where the API keeps artifacts. <c>Artifacts:Storage=file</c> (the default): locally a directory
    /// (<see cref="LocalData"/>), published the named volume <see cref="Volume"/> at <see cref="VolumePath"/>.
    /// <c>s3</c>: S3-compatible storage given by parameters, the keys secret. Read after <c>WithReplicas</c>: several
    /// published replicas are refused a volume that may be each replica's own, unless <c>Artifacts:SharedVolume=true</c>
    /// says the platform shares it.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithArtifactStorage(this IResourceBuilder<ProjectResource> api)
    {
        var builder = api.ApplicationBuilder;
        var storage = (builder.Configuration["Artifacts:Storage"] ?? "file").Trim().ToLowerInvariant();
        return storage switch
        {
            "s3" => api.WithS3Storage(),
            "file" when builder.ExecutionContext.IsPublishMode => api.WithArtifactVolume(),
            "file" => api.WithLocalArtifactDirectory(new LocalData(builder.Configuration)),
            _ => throw new InvalidOperationException($"Artifacts:Storage is '{storage}'; use file or s3."),
        };
    }

    private static IResourceBuilder<ProjectResource> WithLocalArtifactDirectory(this IResourceBuilder<ProjectResource> api, LocalData data)
    {
        var directory = data.ArtifactDirectory();
        data.Announce(api.ApplicationBuilder, "Artifacts", directory);
        return api.WithEnvironment("Registry__Artifacts__Root", directory);
    }

    private static IResourceBuilder<ProjectResource> WithArtifactVolume(this IResourceBuilder<ProjectResource> api)
    {
        var replicas = api.Resource.TryGetLastAnnotation<ReplicaAnnotation>(out var annotation) ? annotation.Replicas : 1;
        if (replicas > 1 && !api.ApplicationBuilder.Configuration.GetValue("Artifacts:SharedVolume", false))
        {
            throw new InvalidOperationException(
                $"{api.Resource.Name} runs {replicas} replicas, but its artifacts would be on the volume '{Volume}', which many " +
                "platforms give each replica separately: a file uploaded through one replica would be missing on the others. " +
                "Publish with Artifacts:Storage=s3 (S3-compatible storage, given by parameters), or, if your platform mounts one " +
                "volume into every replica (Azure Container Apps' Azure Files shares, an NFS or ReadWriteMany volume), say so " +
                "with Artifacts:SharedVolume=true.");
        }
        return api
            .WithEnvironment("Registry__Artifacts__Root", VolumePath)
            .PublishAsDockerFile(container => container.WithVolume(Volume, VolumePath));
    }

    private static IResourceBuilder<ProjectResource> WithS3Storage(this IResourceBuilder<ProjectResource> api)
    {
        var builder = api.ApplicationBuilder;
        return api
            .WithEnvironment("Registry__Artifacts__Storage", "s3")
            .WithEnvironment("Registry__Artifacts__S3__Bucket", builder.AddParameter("artifacts-s3-bucket"))
            // Empty for AWS itself; the address of MinIO, Ceph or another S3-compatible server otherwise.
            .WithEnvironment("Registry__Artifacts__S3__ServiceUrl", builder.AddParameter("artifacts-s3-service-url", new Default("")))
            .WithEnvironment("Registry__Artifacts__S3__Region", builder.AddParameter("artifacts-s3-region", new Default("us-east-1")))
            .WithEnvironment("Registry__Artifacts__S3__AccessKey", builder.AddParameter("artifacts-s3-access-key", secret: true))
            .WithEnvironment("Registry__Artifacts__S3__SecretKey", builder.AddParameter("artifacts-s3-secret-key", secret: true));
    }

    /// <summary>A value used when the parameter is not configured, and published as the manifest's default.</summary>
    private sealed class Default(string value) : ParameterDefault
    {
        public override string GetDefaultValue() => value;

        public override void WriteToManifest(Aspire.Hosting.Publishing.ManifestPublishingContext context) => context.Writer.WriteString("value", value);
    }
}
