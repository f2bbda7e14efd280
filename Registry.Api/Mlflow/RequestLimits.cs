namespace Registry.Api.Mlflow;

/// <summary>
/// <c>Registry:MaxRequestBodyBytes</c>: the largest JSON request. MLflow's largest legal one is a full log-batch, which
/// MLflow's own server caps at 1 MB of JSON; 4 MiB leaves room. Artifact uploads have their own limit.
/// <c>Registry:MaxConcurrentLargeJsonBodies</c>: how many JSON bodies over <see cref="LargeBodyGate.Threshold"/> are read
/// and handled at once; the rest wait their turn, so memory stays bounded however many arrive together.
/// </summary>
public sealed class RequestLimits
{
    public const string Section = "Registry";

    public long MaxRequestBodyBytes { get; set; } = 4L * 1024 * 1024;

    /// <summary>One per core, at least two: more in flight only adds live request graphs, not throughput.</summary>
    public int MaxConcurrentLargeJsonBodies { get; set; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>
    /// Kestrel's own limit: never below 16 MiB, because Kestrel reads an unread body up to it before answering on the same
    /// connection. A request refused before its body is read (an oversized upload) then still gets its answer instead of
    /// a reset connection. Nothing is kept while draining.
    /// </summary>
    public static long KestrelLimit(long maxRequestBodyBytes) => Math.Max(maxRequestBodyBytes, 16L * 1024 * 1024);
}
