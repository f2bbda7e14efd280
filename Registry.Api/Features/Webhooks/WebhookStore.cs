using Npgsql;
using Registry.Api.Changes;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Search;
using Registry.Api.Mlflow.Sql;

namespace Registry.Api.Features.Webhooks;

/// <summary>A project's webhooks. Each write is one statement, with its audit event, in one recorded batch.</summary>
internal sealed class WebhookStore(NpgsqlDataSource dataSource)
{
    private static readonly SqlColumns Select = new();
    private static readonly int Id = Select.Add("w.id");
    private static readonly int Name = Select.Add("w.name");
    private static readonly int Description = Select.Add("w.description");
    private static readonly int Url = Select.Add("w.url");
    private static readonly int Events = Select.Add("w.events");
    private static readonly int Status = Select.Add("w.status");
    private static readonly int CreatedAt = Select.Add("w.created_at");
    private static readonly int UpdatedAt = Select.Add("w.updated_at");
    private static readonly int StatusReason = Select.Add("w.status_reason");

    private static readonly SqlColumns TargetSelect = new();
    private static readonly int TargetUrl = TargetSelect.Add("url");
    private static readonly int TargetProtectedSecret = TargetSelect.Add("protected_secret");
    private static readonly int TargetEvents = TargetSelect.Add("events");

    /// <summary>Secrets appear in the audit trail only as whether one is set, never as themselves.</summary>
    private const string NoSecret = "NULL";

    private static string SecretMarker(string row) => $"CASE WHEN {row}.protected_secret IS NULL THEN NULL ELSE '[FILTERED]' END";

    public async Task<Webhook> CreateAsync(
        long projectId, string name, string? description, string url, string[] events, string? protectedSecret, string status,
        CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var (project, at) = (sql.Add(projectId), sql.Add(Timestamps.Now()));
        await using var batch = dataSource.CreateRecordedBatch().Add(
            $"""
            WITH w AS (
                INSERT INTO webhooks (project_id, name, description, url, events, protected_secret, status, created_at, updated_at)
                VALUES ({project}, {sql.Add(name)}, {sql.Add(description)}, {sql.Add(url)}, {sql.Add(events)}, {sql.Add(protectedSecret)}, {sql.Add(status)}, {at}, {at})
                RETURNING *
            ), audit AS (
                {AuditSql.Insert("w", "webhook_created", AuditEntity.Project, project, "Webhook", "w.id", "w.name", AuditSql.Changes(
                    ("name", "NULL", "w.name"), ("description", "NULL", "w.description"), ("url", "NULL", "w.url"),
                    ("events", "NULL", "w.events"), ("status", "NULL", "w.status"), ("secret", NoSecret, SecretMarker("w"))))}
            )
            SELECT {Select.Sql} FROM w
            """,
            sql);
        return (await ReadAsync(batch, cancellationToken)).Single();
    }

    /// <summary>Newest first (as MLflow lists them), keyset-paged.</summary>
    public async Task<(IReadOnlyList<Webhook> Webhooks, string? NextPageToken)> ListAsync(
        long projectId, int maxResults, string? pageToken, CancellationToken cancellationToken)
    {
        var after = PageToken.Decode(pageToken, "webhooks", [typeof(long), typeof(string)]) is [long ticks, string lastId]
            ? (CreatedAt: ticks is > 0 and < 3_155_378_975_999_999_999 ? new DateTime(ticks, DateTimeKind.Utc) : throw InvalidToken(), Id: Guid.TryParse(lastId, out var guid) ? guid : throw InvalidToken())
            : ((DateTime CreatedAt, Guid Id)?)null;
        var sql = new SqlParameters();
        var (project, afterCreatedAt, afterId) = (sql.Add(projectId), sql.Add(after?.CreatedAt), sql.Add(after?.Id));
        await using var batch = dataSource.CreateBatch().Add(
            $"""
            SELECT {Select.Sql} FROM webhooks w
            WHERE w.project_id = {project} AND ({afterCreatedAt}::timestamptz IS NULL OR (w.created_at, w.id) < ({afterCreatedAt}, {afterId}::uuid))
            ORDER BY w.created_at DESC, w.id DESC
            LIMIT {sql.Add(maxResults + 1)}
            """,
            sql);
        var rows = await ReadRowsAsync(batch, cancellationToken);
        if (rows.Count <= maxResults)
        {
            return ([.. rows.Select(r => r.Webhook)], null);
        }
        var last = rows[maxResults - 1];
        return ([.. rows.Take(maxResults).Select(r => r.Webhook)], PageToken.Encode("webhooks", [last.CreatedAt.Ticks, last.Webhook.WebhookId]));
    }

    /// <param name="webhookId">As the client sent it; ids are uuids here, so anything else is simply not found.</param>
    public async Task<Outcome<Webhook>> FindAsync(long projectId, string webhookId, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(webhookId, out var id))
        {
            return NotFound(webhookId);
        }
        var sql = new SqlParameters();
        await using var batch = dataSource.CreateBatch().Add(
            $"SELECT {Select.Sql} FROM webhooks w WHERE w.project_id = {sql.Add(projectId)} AND w.id = {sql.Add(id)}", sql);
        return (await ReadAsync(batch, cancellationToken)).SingleOrDefault() is { } webhook ? webhook : NotFound(webhookId);
    }

    /// <summary>The URL and encrypted secret a delivery or a test is sent with.</summary>
    public async Task<Outcome<WebhookTarget>> TargetAsync(long projectId, string webhookId, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(webhookId, out var id))
        {
            return NotFound(webhookId);
        }
        var sql = new SqlParameters();
        await using var command = sql.Command(dataSource,
            $"SELECT {TargetSelect.Sql} FROM webhooks WHERE project_id = {sql.Add(projectId)} AND id = {sql.Add(id)}");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new WebhookTarget(
                reader.GetString(TargetUrl), reader.IsDBNull(TargetProtectedSecret) ? null : reader.GetString(TargetProtectedSecret),
                reader.GetFieldValue<string[]>(TargetEvents))
            : NotFound(webhookId);
    }

    /// <summary>
    /// Changes what is given (null leaves a field as it is, as MLflow does). An explicit status clears the reason the
    /// registry gave for the old one, and re-enabling forgets past failures; disabling fails the pending deliveries.
    /// </summary>
    public async Task<Outcome<Webhook>> UpdateAsync(
        long projectId, string webhookId, string? name, string? description, string? url, string[]? events, string? protectedSecret, string? status,
        CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(webhookId, out var id))
        {
            return NotFound(webhookId);
        }
        var sql = new SqlParameters();
        var project = sql.Add(projectId);
        var newStatus = sql.Add(status);
        await using var batch = dataSource.CreateRecordedBatch().Add(
            $"""
            WITH old AS (
                SELECT * FROM webhooks WHERE project_id = {project} AND id = {sql.Add(id)} FOR UPDATE
            ), w AS (
                UPDATE webhooks w SET
                    name = COALESCE({sql.Add(name)}, w.name), description = COALESCE({sql.Add(description)}, w.description), url = COALESCE({sql.Add(url)}, w.url),
                    events = COALESCE({sql.Add(events)}, w.events), protected_secret = COALESCE({sql.Add(protectedSecret)}, w.protected_secret),
                    status = COALESCE({newStatus}, w.status),
                    status_reason = CASE WHEN {newStatus} IS NULL THEN w.status_reason END,
                    failing_since = CASE WHEN {newStatus} = 'ACTIVE' THEN NULL ELSE w.failing_since END,
                    updated_at = {sql.Add(Timestamps.Now())}
                FROM old WHERE w.id = old.id
                RETURNING w.*
            ), dropped AS (
                UPDATE webhook_deliveries d SET state = 'failed', last_error = 'The webhook was disabled.'
                FROM w WHERE d.webhook_id = w.id AND w.status = 'DISABLED' AND d.state = 'pending'
            ), audit AS (
                {AuditSql.Insert("old JOIN w ON w.id = old.id", "webhook_updated", AuditEntity.Project, project, "Webhook", "w.id", "w.name", AuditSql.Changes(
                    ("name", "old.name", "w.name"), ("description", "old.description", "w.description"), ("url", "old.url", "w.url"),
                    ("events", "old.events", "w.events"), ("status", "old.status", "w.status"),
                    ("secret", SecretMarker("old"),
                     "CASE WHEN w.protected_secret IS NULL THEN NULL WHEN w.protected_secret IS NOT DISTINCT FROM old.protected_secret OR old.protected_secret IS NULL " +
                     "THEN '[FILTERED]' ELSE '[FILTERED] (replaced)' END")))}
            )
            SELECT {Select.Sql} FROM w
            """,
            sql);
        return (await ReadAsync(batch, cancellationToken)).SingleOrDefault() is { } webhook ? webhook : NotFound(webhookId);
    }

    /// <summary>Its deliveries go with it.</summary>
    public async Task<Outcome<Done>> DeleteAsync(long projectId, string webhookId, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(webhookId, out var id))
        {
            return NotFound(webhookId);
        }
        var sql = new SqlParameters();
        var project = sql.Add(projectId);
        await using var batch = dataSource.CreateRecordedBatch().Add(
            $"""
            WITH w AS (
                DELETE FROM webhooks WHERE project_id = {project} AND id = {sql.Add(id)} RETURNING *
            ), audit AS (
                {AuditSql.Insert("w", "webhook_deleted", AuditEntity.Project, project, "Webhook", "w.id", "w.name", AuditSql.Changes(
                    ("name", "w.name", "NULL"), ("url", "w.url", "NULL"), ("events", "w.events", "NULL"), ("status", "w.status", "NULL")))}
            )
            SELECT count(*) FROM w
            """,
            sql);
        return (long)(await batch.ExecuteScalarAsync(cancellationToken))! > 0 ? new Done() : NotFound(webhookId);
    }

    /// <param name="webhookId">As the client sent it, as MLflow names it.</param>
    public static MlflowError NotFound(string webhookId) => MlflowError.ResourceDoesNotExist($"Webhook with ID {webhookId} not found.");

    private static MlflowException InvalidToken() => new(MlflowError.InvalidParameterValue("Invalid page_token: it is malformed."));

    private static async Task<List<Webhook>> ReadAsync(NpgsqlBatch batch, CancellationToken cancellationToken) =>
        [.. (await ReadRowsAsync(batch, cancellationToken)).Select(r => r.Webhook)];

    private static async Task<List<(Webhook Webhook, DateTime CreatedAt)>> ReadRowsAsync(NpgsqlBatch batch, CancellationToken cancellationToken)
    {
        var rows = new List<(Webhook, DateTime)>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var createdAt = reader.GetDateTime(CreatedAt);
            rows.Add((new Webhook(
                reader.GetGuid(Id).ToString(), reader.GetString(Name), reader.IsDBNull(Description) ? null : reader.GetString(Description), reader.GetString(Url),
                [.. reader.GetFieldValue<string[]>(Events).Select(WebhookValidation.ToWire)], reader.GetString(Status),
                Timestamps.ToMillis(createdAt), Timestamps.ToMillis(reader.GetDateTime(UpdatedAt)),
                reader.IsDBNull(StatusReason) ? null : reader.GetString(StatusReason)), createdAt));
        }
        return rows;
    }
}

/// <summary>Where a webhook's deliveries and tests go, and the events it takes.</summary>
internal sealed record WebhookTarget(string Url, string? ProtectedSecret, string[] Events);
