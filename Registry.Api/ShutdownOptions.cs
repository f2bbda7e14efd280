using System.ComponentModel.DataAnnotations;

namespace Registry.Api;

/// <summary><c>Registry:Shutdown</c>: how a stopping API process hands its traffic over (README, Scaling out).</summary>
public sealed class ShutdownOptions
{
    public const string Section = "Registry:Shutdown";

    /// <summary>
    /// How long the process keeps serving after SIGTERM while <c>/health</c> already fails, so that load balancers, which
    /// probe readiness, stop sending it requests before it stops accepting them: at least the probe's period × its failure
    /// threshold.
    /// </summary>
    [Range(0, 300)]
    public int DrainDelaySeconds { get; set; } = 5;

    /// <summary>How long requests in flight may still take once the process has stopped accepting new ones.</summary>
    [Range(0, 3600)]
    public int RequestTimeoutSeconds { get; set; } = 25;
}
