using System.Text.Json;

namespace Registry.Api.Features.Audit;

// GitLab's audit event shape (doc/api/audit_events.md). Ours in details: changes (every changed field), token_id,
// request_id and via (api, cli or registry).

public sealed record AuditEventDto(
    long Id, long? AuthorId, long EntityId, string EntityType, string EventName, AuditEventDetails Details, string CreatedAt);

/// <param name="Change">GitLab's single-field form (with From and To), when exactly one field changed.</param>
public sealed record AuditEventDetails(
    string CustomMessage, string? AuthorName, string? TargetId, string TargetType, string? TargetDetails, string? IpAddress,
    string? EntityPath, string? Change, JsonElement? From, JsonElement? To, JsonElement? Changes, long? TokenId, string? RequestId, string? Via);
