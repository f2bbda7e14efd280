namespace Registry.Data.Entities;

/// <summary>
/// The transactional outbox: one change's event, written by the statement that makes the change (so it exists if and
/// only if the change committed), with the webhooks subscribed to it at that moment. A dispatcher turns it into one
/// <see cref="WebhookDelivery"/> per webhook and deletes it, in one transaction; the write itself adds one row, however
/// many webhooks listen.
/// </summary>
public sealed class WebhookEvent
{
    public long Id { get; set; }

    public long ProjectId { get; set; }

    /// <summary><c>entity.action</c>, as subscribed.</summary>
    public required string Event { get; set; }

    /// <summary>The event's <c>data</c> (MLflow's payload), as JSON in MLflow's key order.</summary>
    public required string Payload { get; set; }

    /// <summary>The active webhooks subscribed to the event when the change was made, in no particular order.</summary>
    public required Guid[] WebhookIds { get; set; }

    /// <summary>When the change committed; the deliveries' <c>created_at</c> and their bodies' <c>timestamp</c>.</summary>
    public DateTime CreatedAt { get; set; }
}
