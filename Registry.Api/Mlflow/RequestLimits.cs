using Microsoft.Extensions.Options;

namespace Registry.Api.Mlflow;

/// <summary>
/// <c>Registry:MaxRequestBodyBytes</c>: the largest JSON request. MLflow's largest legal one is a full log-batch, which
/// MLflow's own server caps at 1 MB of JSON; 4 MiB leaves room. Artifact uploads have their own limit.
/// <c>Registry:MaxConcurrentLargeJsonBodies</c>: how many JSON bodies over <see cref="LargeBodyGate.Threshold"/> are read
/// and handled at once; the rest wait their turn, so memory stays bounded however many arrive together.
/// </summary>
public sealed class RequestLimits
{
    public long MaxRequestBodyBytes { get; set; } = 4L * 1024 * 1024;

    public int MaxConcurrentLargeJsonBodies { get; set; } = 4;

    /// <summary>
    /// Kestrel's own limit: never below 16 MiB, because Kestrel reads an unread body up to it before answering on the same
    /// connection. A request refused before its body is read (an oversized upload) then still gets its answer instead of
    /// a reset connection. Nothing is kept while draining.
    /// </summary>
    public static long KestrelLimit(long maxRequestBodyBytes) => Math.Max(maxRequestBodyBytes, 16L * 1024 * 1024);
}

/// <summary>
/// Lets at most <see cref="RequestLimits.MaxConcurrentLargeJsonBodies"/> large (or chunked, so unknown) JSON bodies through
/// at once, each until its response is done. The small requests that nearly every call is never wait.
/// </summary>
internal sealed class LargeBodyGate(IOptions<RequestLimits> limits)
{
    public const long Threshold = 64 * 1024;

    private static readonly object Held = new();

    private readonly SemaphoreSlim _permits = new(Math.Max(1, limits.Value.MaxConcurrentLargeJsonBodies));

    public async ValueTask WaitAsync(HttpContext context)
    {
        // A request run again after a deadlock still holds its permit.
        if (context.Request.ContentLength <= Threshold || context.Items.ContainsKey(Held))
        {
            return;
        }
        await _permits.WaitAsync(context.RequestAborted);
        context.Items[Held] = Held;
        context.Response.RegisterForDispose(new Permit(_permits));
    }

    private sealed class Permit(SemaphoreSlim permits) : IDisposable
    {
        public void Dispose() => permits.Release();
    }
}
