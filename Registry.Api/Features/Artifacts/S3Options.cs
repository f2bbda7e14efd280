namespace Registry.Api.Features.Artifacts;

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
