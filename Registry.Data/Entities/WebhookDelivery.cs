namespace Registry.Data.Entities;

/// <summary>
/// One event for one webhook: made from a <see cref="WebhookEvent"/> by the dispatcher that takes it from the outbox
/// (a replica still running an older build may write these directly during a rolling upgrade), attempted until
/// delivered or given up, with every attempt kept.
/// </summary>
public sealed class WebhookDelivery
{
    public long Id { get; set; }

    /// <summary>X-MLflow-Delivery-Id: the same on every attempt, so that receivers can drop repeats.</summary>
    public Guid DeliveryId { get; set; }

    public Guid WebhookId { get; set; }
    public long ProjectId { get; set; }

    /// <summary><c>entity.action</c>, as subscribed.</summary>
    public required string Event { get; set; }

    /// <summary>The event's <c>data</c> (MLflow's payload), as JSON in MLflow's key order.</summary>
    public required string Payload { get; set; }

    /// <summary>When the change committed; the body's <c>timestamp</c>.</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>pending, delivered or failed.</summary>
    public required string State { get; set; }

    public int Attempts { get; set; }

    /// <summary>When a pending delivery is next due; while an attempt runs, the end of the attempting process's lease.</summary>
    public DateTime NextAttemptAt { get; set; }

    /// <summary>Retries stop here (a day after the event, or after a redelivery).</summary>
    public DateTime GiveUpAt { get; set; }

    /// <summary>The dispatcher that claimed the latest attempt (host/process/instance).</summary>
    public string? ClaimedBy { get; set; }

    public int? LastResponseStatus { get; set; }
    public string? LastError { get; set; }
    public DateTime? DeliveredAt { get; set; }
}
