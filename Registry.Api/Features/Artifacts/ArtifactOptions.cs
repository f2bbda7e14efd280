namespace Registry.Api.Features.Artifacts;

public sealed class ArtifactOptions
{
    /// <summary>Where artifacts live on disk; each project has its own directory below it.</summary>
    public string Root { get; set; } = Path.Combine(Path.GetTempPath(), "registry-artifacts");

    /// <summary>The largest single upload; larger ones are refused with 413 before anything is stored.</summary>
    public long MaxUploadBytes { get; set; } = 5L * 1024 * 1024 * 1024;

    /// <summary><c>file</c> (the default) or <c>s3</c>.</summary>
    public string Storage { get; set; } = "file";

    public S3Options S3 { get; set; } = new();
}

/// <summary>S3-compatible object storage, so that several API replicas share artifacts.</summary>
public sealed class S3Options
{
    public string Bucket { get; set; } = "";

    /// <summary>Keys start with this (then <c>projects/&lt;id&gt;/</c>), so one bucket can serve several deployments.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>An S3-compatible endpoint (MinIO, Ceph, moto...); empty for AWS itself.</summary>
    public string ServiceUrl { get; set; } = "";

    public string Region { get; set; } = "us-east-1";

    /// <summary>Empty for the SDK's default credential chain (environment, instance role...).</summary>
    public string AccessKey { get; set; } = "";

    public string SecretKey { get; set; } = "";
}
