using System.Text.Json;
using Npgsql;
using Registry.Api.Changes;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Search;
using Registry.Api.Mlflow.Sql;

namespace Registry.Api.Features.Webhooks;

/// <summary>A webhook's deliveries as its Maintainers see them (ours: MLflow has no such API), and redelivery.</summary>
internal sealed class DeliveryStore(NpgsqlDataSource dataSource)
{
    private const string DeliveryJson =
        """
        json_build_object(
            'delivery_id', d.delivery_id, 'event', d.event, 'state', upper(d.state), 'attempts', d.attempts,
            'creation_timestamp', (extract(epoch FROM d.created_at) * 1000)::bigint,
            'next_attempt_timestamp', CASE WHEN d.state = 'pending' THEN (extract(epoch FROM d.next_attempt_at) * 1000)::bigint END,
            'delivered_timestamp', (extract(epoch FROM d.delivered_at) * 1000)::bigint,
            'last_response_status', d.last_response_status, 'last_error', d.last_error, 'payload', d.payload,
            'attempt_history', COALESCE((
                SELECT json_agg(json_build_object(
                    'timestamp', (extract(epoch FROM a.started_at) * 1000)::bigint, 'duration_ms', a.duration_ms,
                    'response_status', a.response_status, 'response_body', a.response_body, 'error', a.error) ORDER BY a.id)
                FROM webhook_delivery_attempts a WHERE a.delivery_id = d.id), '[]'::json))
        """;

    private static readonly SqlColumns PageSelect = new();
    private static readonly int PageId = PageSelect.Add("d.id");
    private static readonly int PageDelivery = PageSelect.Add(DeliveryJson);

    private static readonly SqlColumns RedeliverySelect = new();
    private static readonly int RedeliveryWebhookStatus = RedeliverySelect.Add("(SELECT status FROM target)");
    private static readonly int Redelivered = RedeliverySelect.Add($"(SELECT {DeliveryJson} FROM d)");

    /// <summary>Newest first, keyset-paged.</summary>
    /// <param name="webhookId">As the client sent it (<see cref="WebhookStore.FindAsync"/>).</param>
    public async Task<Outcome<ListWebhookDeliveriesResponse>> ListAsync(
        long projectId, string webhookId, int maxResults, string? pageToken, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(webhookId, out var uuid))
        {
            return WebhookStore.NotFound(webhookId);
        }
        var query = $"deliveries:{uuid}";
        long? before = PageToken.Decode(pageToken, query, [typeof(long)]) is [long id] ? id : null;
        var sql = new SqlParameters();
        var (project, webhook, beforeId) = (sql.Add(projectId), sql.Add(uuid), sql.Add(before));
        await using var command = sql.Command(dataSource,
            $"""
            SELECT {PageSelect.Sql}
            FROM webhooks w
            LEFT JOIN LATERAL (
                SELECT * FROM webhook_deliveries d WHERE d.webhook_id = w.id AND ({beforeId}::bigint IS NULL OR d.id < {beforeId}) ORDER BY d.id DESC LIMIT {sql.Add(maxResults + 1)}
            ) d ON true
            WHERE w.project_id = {project} AND w.id = {webhook}
            ORDER BY d.id DESC
            """);
        var rows = new List<(long Id, WebhookDelivery Delivery)>();
        var found = false;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                found = true;
                if (!reader.IsDBNull(PageId))
                {
                    rows.Add((reader.GetInt64(PageId), Parse(reader.GetString(PageDelivery))));
                }
            }
        }
        if (!found)
        {
            return WebhookStore.NotFound(webhookId);
        }
        return rows.Count <= maxResults
            ? new ListWebhookDeliveriesResponse([.. rows.Select(r => r.Delivery)], null)
            : new ListWebhookDeliveriesResponse([.. rows.Take(maxResults).Select(r => r.Delivery)], PageToken.Encode(query, [rows[maxResults - 1].Id]));
    }

    /// <summary>
    /// Sends a delivery again, with the same delivery id (receivers that already have it may drop it): it is pending
    /// from now, for another day of retries. This process's dispatcher is woken by the caller.
    /// </summary>
    public async Task<Outcome<WebhookDelivery>> RedeliverAsync(
        long projectId, Guid webhookId, Guid deliveryId, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var project = sql.Add(projectId);
        await using var batch = dataSource.CreateRecordedBatch().Add(
            $"""
            WITH target AS (
                SELECT d.id, w.status, w.name FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
                WHERE w.project_id = {project} AND w.id = {sql.Add(webhookId)} AND d.delivery_id = {sql.Add(deliveryId)}
                FOR UPDATE OF d
            ), d AS (
                UPDATE webhook_deliveries d
                SET state = 'pending', next_attempt_at = now(), give_up_at = now() + interval '24 hours', delivered_at = NULL
                FROM target WHERE d.id = target.id AND target.status = 'ACTIVE'
                RETURNING d.*
            ), audit AS (
                {AuditSql.Insert("d JOIN target ON target.id = d.id", "webhook_delivery_redelivered", AuditEntity.Project, project,
                    "WebhookDelivery", "d.delivery_id", "target.name || ' ' || d.event || ' ' || d.delivery_id")}
            )
            SELECT {RedeliverySelect.Sql}
            """,
            sql);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return reader.IsDBNull(RedeliveryWebhookStatus) ? DeliveryNotFound(webhookId.ToString(), deliveryId.ToString())
            : reader.IsDBNull(Redelivered) ? MlflowError.InvalidParameterValue($"Webhook {webhookId} is disabled; set its status to ACTIVE before redelivering.")
            : Parse(reader.GetString(Redelivered));
    }

    public static MlflowError DeliveryNotFound(string webhookId, string deliveryId) =>
        MlflowError.ResourceDoesNotExist($"Delivery {deliveryId} of webhook {webhookId} not found.");

    private static WebhookDelivery Parse(string json) => JsonSerializer.Deserialize(json, WebhooksJsonContext.Wire.WebhookDelivery)!;
}
