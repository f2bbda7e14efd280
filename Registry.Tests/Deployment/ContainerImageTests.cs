using Registry.Tests.Infrastructure;

namespace Registry.Tests.Deployment;

/// <summary>
/// The images the manifest builds, checked from their Dockerfiles: this machine has no container runtime and cannot pull
/// base images, so `docker build` cannot run here.
/// </summary>
public sealed class ContainerImageTests
{
    [Theory]
    [InlineData("api.Dockerfile", "Registry.Api")]
    [InlineData("migrations.Dockerfile", "Registry.MigrationService")]
    public void Each_image_publishes_its_project_and_runs_it_as_the_non_root_user_of_the_ASP_NET_image(string dockerfile, string project)
    {
        var (build, final) = Stages(dockerfile);

        Assert.Contains(build, line => line.StartsWith("RUN ", StringComparison.Ordinal) && line.Contains($"dotnet publish {project}/{project}.csproj -c Release -o /app", StringComparison.Ordinal));
        Assert.Equal("FROM mcr.microsoft.com/dotnet/aspnet:10.0", final[0]);
        Assert.Equal("USER $APP_UID", Assert.Single(final, line => line.StartsWith("USER ", StringComparison.Ordinal)));
        Assert.Equal($"ENTRYPOINT [\"dotnet\", \"{project}.dll\"]", final[^1]);
        Assert.True(File.Exists(Repository.BuiltDll(project)), $"{project}.dll is not what {project} builds");
    }

    [Fact]
    public void The_API_image_listens_on_8080_and_owns_the_mount_point_of_the_artifact_volume_before_it_drops_root()
    {
        var (_, final) = Stages("api.Dockerfile");

        Assert.Contains("EXPOSE 8080", final);
        Assert.Contains(final, line => line.StartsWith("ENV ASPNETCORE_HTTP_PORTS=8080 ", StringComparison.Ordinal));
        var ownership = final.FindIndex(line => line == "RUN mkdir -p /var/lib/registry/artifacts && chown $APP_UID:$APP_UID /var/lib/registry/artifacts");
        Assert.InRange(ownership, 1, final.IndexOf("USER $APP_UID") - 1);
        Assert.Contains("VOLUME /var/lib/registry/artifacts", final);
        Assert.Contains(final, line => line.Contains("Registry__Artifacts__Root=/var/lib/registry/artifacts", StringComparison.Ordinal));
    }

    /// <summary>The instructions of the build stage and of the final stage, continuation lines joined, comments dropped.</summary>
    private static (List<string> Build, List<string> Final) Stages(string dockerfile)
    {
        var text = File.ReadAllText(Path.Combine(Repository.Root, "Registry.AppHost", "Containers", dockerfile)).Replace("\\\n", " ");
        var instructions = text.Split('\n').Select(line => string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
            .Where(line => line.Length > 0 && !line.StartsWith('#')).ToList();
        var finalFrom = instructions.FindLastIndex(line => line.StartsWith("FROM ", StringComparison.Ordinal));
        Assert.True(finalFrom > 0, $"{dockerfile} should build in one stage and run in another");
        return (instructions[..finalFrom], instructions[finalFrom..]);
    }
}
