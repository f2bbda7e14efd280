namespace Registry.Api.Mlflow;

/// <summary><c>Registry:MaxRequestBodyBytes</c>: the largest JSON request (a full log-batch is ~100 KB). Artifact uploads have their own limit.</summary>
public sealed class RequestLimits
{
    public long MaxRequestBodyBytes { get; set; } = 16L * 1024 * 1024;
}
