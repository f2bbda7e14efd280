using Npgsql;
using Registry.Api.Changes;
using Registry.Api.Mlflow.Sql;

namespace Registry.Api.Features.Webhooks;

/// <summary>A delivery claimed for one attempt.</summary>
/// <param name="Attempt">Its attempt number; the outcome is recorded only while the claim is still this one.</param>
internal sealed record ClaimedDelivery(
    long Id, Guid DeliveryId, Guid WebhookId, string Event, string Payload, DateTime CreatedAt, int Attempt, DateTime GiveUpAt,
    string Url, string? ProtectedSecret);

/// <summary>What one attempt at a claimed delivery came to, and when it started.</summary>
internal sealed record AttemptResult(ClaimedDelivery Delivery, DateTime StartedAt, SendResult Result);

/// <summary>The dispatchers' SQL: claiming due deliveries, recording what each attempt came to, and housekeeping.</summary>
internal sealed class DispatchStore(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Takes up to this many events from the outbox per claim, turning each into its deliveries (one per webhook that
    /// still exists; a webhook disabled meanwhile gets its delivery failed by the claim).
    /// </summary>
    private const int EventsPerClaim = 100;

    private static readonly SqlColumns Claimed = new();
    private static readonly int ClaimedId = Claimed.Add("d.id");
    private static readonly int ClaimedDeliveryId = Claimed.Add("d.delivery_id");
    private static readonly int ClaimedWebhookId = Claimed.Add("d.webhook_id");
    private static readonly int ClaimedEvent = Claimed.Add("d.event");
    private static readonly int ClaimedPayload = Claimed.Add("d.payload::text");
    private static readonly int ClaimedCreatedAt = Claimed.Add("d.created_at");
    private static readonly int ClaimedAttempt = Claimed.Add("d.attempts");
    private static readonly int ClaimedGiveUpAt = Claimed.Add("d.give_up_at");
    private static readonly int ClaimedUrl = Claimed.Add("w.url");
    private static readonly int ClaimedProtectedSecret = Claimed.Add("w.protected_secret");

    /// <summary>
    /// First turns events waiting in the outbox into deliveries, then claims up to <paramref name="limit"/> due deliveries
    /// with <c>FOR UPDATE SKIP LOCKED</c> (processes never wait for each other nor take the same row) and leases them to
    /// <paramref name="claimant"/>: if it dies, the lease runs out and the delivery is due again, for whichever process
    /// comes first. Deliveries of a webhook disabled meanwhile fail. One round trip and one transaction: an event becomes
    /// its deliveries exactly once, and a crash before the commit leaves it in the outbox.
    /// </summary>
    public async Task<IReadOnlyList<ClaimedDelivery>> ClaimAsync(int limit, TimeSpan lease, string claimant, CancellationToken cancellationToken)
    {
        var fanOut = new SqlParameters();
        var claim = new SqlParameters();
        await using var batch = dataSource.CreateBatch()
            .Add(
                $"""
                WITH events AS (
                    DELETE FROM webhook_events WHERE id IN (
                        SELECT id FROM webhook_events ORDER BY id LIMIT {fanOut.Add(EventsPerClaim)} FOR UPDATE SKIP LOCKED)
                    RETURNING id, project_id, event, payload, webhook_ids, created_at
                )
                INSERT INTO webhook_deliveries (webhook_id, project_id, event, payload, created_at, give_up_at)
                SELECT w.id, e.project_id, e.event, e.payload, e.created_at, e.created_at + {fanOut.Add(GiveUpAfter)}
                FROM events e CROSS JOIN LATERAL unnest(e.webhook_ids) AS subscribed(id) JOIN webhooks w ON w.id = subscribed.id
                ORDER BY e.id, w.id
                """,
                fanOut)
            .Add(
                $"""
                WITH due AS (
                    SELECT d.id, w.status = 'ACTIVE' AS active
                    FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
                    WHERE d.state = 'pending' AND d.next_attempt_at <= now()
                    ORDER BY d.next_attempt_at
                    LIMIT {claim.Add(limit)}
                    FOR UPDATE OF d SKIP LOCKED
                ), dropped AS (
                    UPDATE webhook_deliveries d SET state = 'failed', last_error = 'The webhook was disabled.'
                    FROM due WHERE d.id = due.id AND NOT due.active
                )
                UPDATE webhook_deliveries d SET attempts = d.attempts + 1, next_attempt_at = now() + {claim.Add(lease)}, claimed_by = {claim.Add(claimant)}
                FROM due, webhooks w
                WHERE d.id = due.id AND due.active AND w.id = d.webhook_id
                RETURNING {Claimed.Sql}
                """,
                claim);
        var claimed = new List<ClaimedDelivery>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            claimed.Add(new ClaimedDelivery(
                reader.GetInt64(ClaimedId), reader.GetGuid(ClaimedDeliveryId), reader.GetGuid(ClaimedWebhookId), reader.GetString(ClaimedEvent),
                reader.GetString(ClaimedPayload), reader.GetDateTime(ClaimedCreatedAt), reader.GetInt32(ClaimedAttempt), reader.GetDateTime(ClaimedGiveUpAt),
                reader.GetString(ClaimedUrl), reader.IsDBNull(ClaimedProtectedSecret) ? null : reader.GetString(ClaimedProtectedSecret)));
        }
        return claimed;
    }

    /// <summary>
    /// Records deliveries that arrived, any number in one statement: each one's attempt, its state, and the end of its
    /// webhook's failure streak if there was one (without locking a webhook that was not failing). An attempt whose
    /// claim was lost meanwhile (its lease ran out and another process took it) is kept in the history but changes nothing.
    /// </summary>
    public async Task RecordDeliveredAsync(IReadOnlyList<AttemptResult> delivered, string claimant, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var (ids, webhookIds) = (sql.Add(delivered.Select(d => d.Delivery.Id).ToArray()), sql.Add(delivered.Select(d => d.Delivery.WebhookId).ToArray()));
        // The rows are found by key (= ANY): a join with the unnested arrays is planned as a scan of the whole table.
        await using var command = sql.Command(dataSource,
            $"""
            WITH done AS (
                SELECT * FROM unnest({ids}::bigint[],
                                     {sql.Add(delivered.Select(d => d.Delivery.Attempt).ToArray())}::int[],
                                     {sql.Add(delivered.Select(d => d.StartedAt).ToArray())}::timestamptz[],
                                     {sql.Add(delivered.Select(d => DurationMs(d.Result)).ToArray())}::int[],
                                     {sql.Add(delivered.Select(d => d.Result.Status).ToArray())}::int[],
                                     {sql.Add(delivered.Select(d => d.Result.ResponseBody).ToArray())}::text[])
                    AS d(id, attempt, started_at, duration_ms, response_status, response_body)
            ), attempt AS (
                INSERT INTO webhook_delivery_attempts (delivery_id, started_at, duration_ms, response_status, response_body)
                SELECT id, started_at, duration_ms, response_status, response_body FROM done
            ), delivery AS (
                UPDATE webhook_deliveries d SET state = 'delivered', next_attempt_at = now(), last_response_status = done.response_status,
                    last_error = NULL, delivered_at = now()
                FROM done
                WHERE d.id = ANY ({ids}::bigint[]) AND d.id = done.id AND d.attempts = done.attempt AND d.claimed_by = {sql.Add(claimant)}
            )
            UPDATE webhooks SET failing_since = NULL WHERE id = ANY ({webhookIds}::uuid[]) AND failing_since IS NOT NULL
            """);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Records an attempt that did not deliver, and what follows from it, in one statement: the delivery is due again
    /// at <paramref name="retryIn"/>, or failed; the webhook's failure streak starts; a webhook whose every delivery has
    /// failed for <see cref="DisableAfter"/> is disabled with the reason in its status (audited as the registry's doing)
    /// and its other pending deliveries fail.
    /// </summary>
    /// <param name="retryIn">When to try again; null when this attempt ends the delivery (failed for good).</param>
    public async Task RecordFailedAsync(AttemptResult failed, string claimant, TimeSpan? retryIn, CancellationToken cancellationToken)
    {
        var (delivery, result) = (failed.Delivery, failed.Result);
        var sql = new SqlParameters();
        var (id, started, status, error, disableAfter) = (sql.Add(delivery.Id), sql.Add(failed.StartedAt), sql.Add(result.Status), sql.Add(result.Error), sql.Add(DisableAfter));
        await using var batch = dataSource.CreateRecordedBatch().Add(
            $"""
            WITH attempt AS (
                INSERT INTO webhook_delivery_attempts (delivery_id, started_at, duration_ms, response_status, response_body, error)
                VALUES ({id}, {started}, {sql.Add(DurationMs(result))}, {status}, {sql.Add(result.ResponseBody)}, {error})
            ), delivery AS (
                UPDATE webhook_deliveries SET state = {sql.Add(retryIn is null ? "failed" : "pending")},
                    next_attempt_at = now() + COALESCE({sql.Add(retryIn)}, interval '0'), last_response_status = {status}, last_error = {error},
                    delivered_at = NULL
                WHERE id = {id} AND attempts = {sql.Add(delivery.Attempt)} AND claimed_by = {sql.Add(claimant)}
            ), streak AS (
                SELECT id, status, name, COALESCE(failing_since, {started}) AS since FROM webhooks WHERE id = {sql.Add(delivery.WebhookId)} FOR UPDATE
            ), webhook AS (
                UPDATE webhooks w SET
                    failing_since = streak.since,
                    status = CASE WHEN streak.since <= now() - {disableAfter} THEN 'DISABLED' ELSE w.status END,
                    status_reason = CASE WHEN streak.since <= now() - {disableAfter} AND w.status = 'ACTIVE'
                        THEN 'Disabled by Registry: every delivery failed from ' || to_char(streak.since AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                             || ' to ' || to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') || ' (last: ' || COALESCE({error}, '') || ')'
                        ELSE w.status_reason END
                FROM streak
                WHERE w.id = streak.id AND (w.failing_since IS NULL OR streak.since <= now() - {disableAfter})
                RETURNING w.id, w.project_id, w.status AS new_status, streak.status AS old_status, w.name
            ), disabled AS (
                SELECT * FROM webhook WHERE old_status = 'ACTIVE' AND new_status = 'DISABLED'
            ), abandoned AS (
                UPDATE webhook_deliveries d SET state = 'failed', last_error = 'The webhook was disabled after failing for a day.'
                FROM disabled WHERE d.webhook_id = disabled.id AND d.state = 'pending' AND d.id <> {id}
            ), audit AS (
                {AuditSql.Insert("disabled", "webhook_disabled", AuditEntity.Project, "disabled.project_id", "Webhook", "disabled.id", "disabled.name",
                    AuditSql.Changes(("status", "'ACTIVE'::text", "disabled.new_status")))}
            )
            SELECT 1
            """,
            sql);
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    private static int DurationMs(SendResult result) => (int)Math.Min(result.Duration.TotalMilliseconds, int.MaxValue);

    /// <summary>A webhook whose every delivery attempt has failed for this long is disabled.</summary>
    public static readonly TimeSpan DisableAfter = TimeSpan.FromHours(24);

    /// <summary>A delivery is retried for this long after its event (a redelivery starts it again).</summary>
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromHours(24);

    /// <summary>
    /// How soon the next pending delivery is due (one in flight counts at the end of its lease; an event still in the
    /// outbox is due now); null when none is.
    /// </summary>
    public async Task<TimeSpan?> NextDueInAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT LEAST(
                (SELECT min(next_attempt_at) FROM webhook_deliveries WHERE state = 'pending'),
                (SELECT created_at FROM webhook_events ORDER BY id LIMIT 1)) - clock_timestamp()
            """);
        return await command.ExecuteScalarAsync(cancellationToken) is TimeSpan due ? due : null;
    }

    /// <summary>Forgets finished deliveries (and their attempts) older than the retention.</summary>
    public async Task<int> PurgeAsync(TimeSpan retention, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        await using var command = sql.Command(dataSource,
            $"""
            DELETE FROM webhook_deliveries WHERE id IN (
                SELECT id FROM webhook_deliveries WHERE state <> 'pending' AND created_at < now() - {sql.Add(retention)} LIMIT 10000)
            """);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
