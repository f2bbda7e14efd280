namespace Registry.Api.Features.Artifacts;

/// <summary><c>Registry:Artifacts</c>: where artifacts are stored and how large one may be.</summary>
public sealed class ArtifactOptions
{
    public const string Section = "Registry:Artifacts";

    /// <summary>Where artifacts live on disk; each project has its own directory below it.</summary>
    public string Root { get; set; } = Path.Combine(Path.GetTempPath(), "registry-artifacts");

    /// <summary>The largest single upload; larger ones are refused with 413 before anything is stored.</summary>
    public long MaxUploadBytes { get; set; } = 5L * 1024 * 1024 * 1024;

    /// <summary><c>file</c> (the default) or <c>s3</c>.</summary>
    public string Storage { get; set; } = "file";

    public S3Options S3 { get; set; } = new();
}
