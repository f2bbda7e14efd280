namespace Registry.Data.Entities;

/// <summary>One POST of a delivery to its receiver, whatever came of it.</summary>
public sealed class WebhookDeliveryAttempt
{
    public long Id { get; set; }
    public long DeliveryId { get; set; }
    public DateTime StartedAt { get; set; }
    public int DurationMs { get; set; }

    /// <summary>The receiver's HTTP status; null when no response came (timeout, refused, unreachable).</summary>
    public int? ResponseStatus { get; set; }

    /// <summary>The start of the receiver's answer, capped.</summary>
    public string? ResponseBody { get; set; }

    public string? Error { get; set; }
}
