using System.ComponentModel.DataAnnotations;

namespace Registry.Api.Features.Webhooks;

/// <summary><c>Registry:Webhooks</c>: where webhooks may point and how deliveries are made.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Registry:Webhooks";

    /// <summary>
    /// Lets webhooks target loopback, private, link-local and metadata addresses, which are otherwise refused when a
    /// webhook is saved and again when each delivery connects. For tests and development only.
    /// </summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>URL schemes webhooks may use, comma-separated (MLflow's MLFLOW_WEBHOOK_ALLOWED_SCHEMES): https unless you say.</summary>
    [Required]
    public string AllowedSchemes { get; set; } = "https";

    /// <summary>How long one delivery attempt may take, connecting included.</summary>
    [Range(1, 120)]
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>Deliveries one API process has in flight at once.</summary>
    [Range(1, 1024)]
    public int MaxConcurrentDeliveries { get; set; } = 16;

    /// <summary>How long finished deliveries (and their attempts) are kept for <c>GET .../deliveries</c>.</summary>
    [Range(1, 3650)]
    public int DeliveryRetentionDays { get; set; } = 30;

    public IReadOnlyList<string> Schemes =>
        [.. AllowedSchemes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToLowerInvariant())];

    /// <summary>
    /// How long a claimed delivery belongs to the process that claimed it: well beyond one attempt, so that only a
    /// process that died (or lost the database) leaves a claim to run out, after which another process takes it over.
    /// </summary>
    public TimeSpan Lease => TimeSpan.FromSeconds(3 * TimeoutSeconds);
}
