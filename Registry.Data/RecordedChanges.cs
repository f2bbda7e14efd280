namespace Registry.Data;

/// <summary>
/// What the schema gives writes that record themselves (migration WebhooksAndAuditEvents). A write's batch first calls
/// <c>registry_act_as(actor jsonb)</c>, which keeps who is writing for the rest of the transaction; the write's own
/// statement then inserts its <c>audit_events</c> row (reading <c>registry_actor()</c>) and its
/// <c>webhook_deliveries</c> rows, so both exist if and only if the change commits. A statement that inserts delivery
/// rows notifies <see cref="WebhookChannel"/> once, on commit, which wakes the dispatchers (migration FasterRecordedWrites).
/// </summary>
public static class RecordedChanges
{
    public const string WebhookChannel = "registry_webhooks";
}
