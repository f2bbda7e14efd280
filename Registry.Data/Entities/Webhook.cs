namespace Registry.Data.Entities;

/// <summary>A project's subscription of a URL to registry events (MLflow 3's webhook).</summary>
public sealed class Webhook
{
    /// <summary>MLflow's <c>webhook_id</c>: a UUID string on the wire.</summary>
    public Guid Id { get; set; }

    public long ProjectId { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public required string Url { get; set; }

    /// <summary>The events it is subscribed to, as <c>entity.action</c> (<c>model_version.created</c>).</summary>
    public required string[] Events { get; set; }

    /// <summary>The HMAC secret, encrypted with ASP.NET Core Data Protection; never returned.</summary>
    public string? ProtectedSecret { get; set; }

    /// <summary>ACTIVE or DISABLED.</summary>
    public required string Status { get; set; }

    /// <summary>Why the webhook is in its status, when the registry changed it (disabled after failing for a day).</summary>
    public string? StatusReason { get; set; }

    /// <summary>Since when every delivery attempt has failed; null after a success.</summary>
    public DateTime? FailingSince { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
