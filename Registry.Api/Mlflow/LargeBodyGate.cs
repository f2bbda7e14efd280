using Microsoft.Extensions.Options;

namespace Registry.Api.Mlflow;

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
