using Microsoft.Extensions.Configuration;

namespace Registry.AppHost;

/// <summary>What every service the AppHost exposes to users shares (the API; the web UI when it joins).</summary>
internal static class PublicServices
{
    /// <summary>
    /// Runs as many replicas as <paramref name="setting"/> asks for, else as many as <paramref name="fallback"/> asks for
    /// (default 1); locally DCP balances the endpoint across them.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithReplicasFrom(this IResourceBuilder<ProjectResource> service, string setting, string? fallback = null)
    {
        var configuration = service.ApplicationBuilder.Configuration;
        var replicas = configuration.GetValue(setting, fallback is null ? 1 : configuration.GetValue(fallback, 1));
        if (replicas < 1)
        {
            throw new InvalidOperationException($"{setting} is {replicas}; a service runs at least 1 replica.");
        }
        return service.WithReplicas(replicas);
    }

    /// <summary>
    /// Reachable from outside over HTTPS only, once published: the https endpoint is external, http stays inside the
    /// environment (azd turns that into Container Apps ingress that redirects http to https). Readiness is /health
    /// (database and schema included), liveness /alive, for publishers that deploy probes; the Aspire manifest has no
    /// field for them, so operators of other platforms set them (README).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithPublicHttpsEndpoint(this IResourceBuilder<ProjectResource> service)
    {
        if (service.ApplicationBuilder.ExecutionContext.IsPublishMode)
        {
            service.WithEndpoint("https", endpoint => endpoint.IsExternal = true, createIfNotExists: false);
        }
#pragma warning disable ASPIREPROBES001 // Experimental in Aspire 13.6; the alternative is declaring no probes at all.
        return service
            .WithHttpProbe(ProbeType.Readiness, "/health")
            .WithHttpProbe(ProbeType.Liveness, "/alive");
#pragma warning restore ASPIREPROBES001
    }

    /// <summary>
    /// Published as the image <paramref name="dockerfile"/> (in Containers/) builds from the repository, not as an SDK
    /// container: only a container carries volumes in the Aspire manifest (project.v0 has none, and azd mounts none into
    /// projects), and only a Dockerfile can hand a volume's mount point to the image's non-root user.
    /// </summary>
    public static IResourceBuilder<ProjectResource> PublishAsImage(this IResourceBuilder<ProjectResource> project, string dockerfile)
    {
        var appHost = project.ApplicationBuilder.AppHostDirectory;
        return project.PublishAsDockerFile(container =>
            container.WithDockerfile(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(appHost))!, Path.Combine(appHost, "Containers", dockerfile)));
    }
}
