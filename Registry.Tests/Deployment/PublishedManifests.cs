using Registry.Tests.Infrastructure;

namespace Registry.Tests.Deployment;

/// <summary>
/// The manifests `dotnet run --project Registry.AppHost -- --publisher manifest` writes, for the default settings and for
/// production's (an external database, S3). Written inside the repository, so the paths to the Dockerfiles are relative
/// and anything absolute in them came from the publishing machine.
/// </summary>
public sealed class PublishedManifests : IAsyncLifetime
{
    public Manifest Default { get; private set; } = null!;
    public Manifest ExternalDatabaseAndS3 { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var published = await Task.WhenAll(
            Manifest.PublishAsync(),
            Manifest.PublishAsync("--Postgres:Mode=external", "--Artifacts:Storage=s3"));
        (Default, ExternalDatabaseAndS3) = (published[0], published[1]);
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

public sealed record Manifest(string Text, JsonObject Resources, string Directory)
{
    public static async Task<Manifest> PublishAsync(params string[] settings)
    {
        var (exitCode, output, manifest) = await TryPublishAsync(settings);
        Assert.True(exitCode == 0, output);
        return manifest!;
    }

    public static async Task<(int ExitCode, string Output, Manifest? Manifest)> TryPublishAsync(params string[] settings)
    {
        var directory = Path.Combine(Repository.Root, "Registry.AppHost", "obj", "manifests", Guid.NewGuid().ToString("N"));
        var path = Path.Combine(directory, "manifest.json");
        try
        {
            var (exitCode, output) = await AppHostCommand.RunAsync(["--publisher", "manifest", "--output-path", path, .. settings]);
            if (exitCode != 0)
            {
                return (exitCode, output, null);
            }
            var text = await File.ReadAllTextAsync(path);
            return (exitCode, output, new(text, JsonNode.Parse(text)!["resources"]!.AsObject(), directory));
        }
        finally
        {
            if (System.IO.Directory.Exists(directory)) System.IO.Directory.Delete(directory, recursive: true);
        }
    }

    public JsonObject this[string resource] => Resources[resource]?.AsObject() ?? throw new Xunit.Sdk.XunitException($"The manifest has no resource '{resource}':\n{Text}");

    public string? Env(string resource, string variable) => (string?)this[resource]["env"]?[variable];

    /// <summary>A path in the manifest, which is relative to the manifest's own directory, as a path in the repository.</summary>
    public string RepositoryPath(string manifestRelative) =>
        Path.GetRelativePath(Repository.Root, Path.GetFullPath(Path.Combine(Directory, manifestRelative))).Replace('\\', '/');
}
