namespace Registry.Data.Entities;

/// <summary>
/// Who changed what, when, GitLab-shaped: one row per write, added by the write's own statement. No foreign keys: the
/// trail outlives the users, projects and things it names.
/// </summary>
public sealed class AuditEvent
{
    public long Id { get; set; }
    public DateTime CreatedAt { get; set; }

    /// <summary>GitLab's entity: <c>Project</c> (with its id) or <c>User</c> (the account changed).</summary>
    public required string EntityType { get; set; }
    public long EntityId { get; set; }

    /// <summary>The project's name or the username, as it was.</summary>
    public string? EntityPath { get; set; }

    /// <summary>What happened, snake_case (<c>model_version_created</c>).</summary>
    public required string EventName { get; set; }

    public required string TargetType { get; set; }
    public string? TargetId { get; set; }
    public string? TargetDetails { get; set; }

    /// <summary>The changed fields: <c>{"field": {"from": ..., "to": ...}}</c>; never a secret or a token.</summary>
    public string? Changes { get; set; }

    public long? AuthorId { get; set; }
    public string? AuthorName { get; set; }
    public long? TokenId { get; set; }
    public string? IpAddress { get; set; }
    public string? RequestId { get; set; }

    /// <summary>api, cli or registry (the registry's own background work).</summary>
    public string? Via { get; set; }
}
