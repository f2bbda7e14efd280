namespace Registry.Api.Features.Artifacts;

public sealed class ArtifactOptions
{
    /// <summary>Where artifacts live on disk; each project has its own directory below it.</summary>
    public string Root { get; set; } = Path.Combine(Path.GetTempPath(), "registry-artifacts");

    /// <summary>The largest single upload; larger ones are refused with 413 before anything is stored.</summary>
    public long MaxUploadBytes { get; set; } = 5L * 1024 * 1024 * 1024;
}
