using Npgsql;
using Registry.Api.Changes;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Search;

namespace Registry.Api.Features.Webhooks;

/// <summary>A project's webhooks. Each write is one statement, with its audit event, in one recorded batch.</summary>
internal sealed class WebhookStore(NpgsqlDataSource dataSource)
{
    private const string Columns = "w.id, w.name, w.description, w.url, w.events, w.status, w.created_at, w.updated_at, w.status_reason";

    /// <summary>Secrets appear in the audit trail only as whether one is set, never as themselves.</summary>
    private const string NoSecret = "NULL";

    private static string SecretMarker(string row) => $"CASE WHEN {row}.protected_secret IS NULL THEN NULL ELSE '[FILTERED]' END";

    public async Task<Webhook> CreateAsync(
        long projectId, string name, string? description, string url, string[] events, string? protectedSecret, string status,
        CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateRecordedBatch().Add(
            $"""
            WITH w AS (
                INSERT INTO webhooks (project_id, name, description, url, events, protected_secret, status, created_at, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
                RETURNING *
            ), audit AS (
                {AuditSql.Insert("w", "webhook_created", AuditEntity.Project, "$1", "Webhook", "w.id", "w.name", AuditSql.Changes(
                    ("name", "NULL", "w.name"), ("description", "NULL", "w.description"), ("url", "NULL", "w.url"),
                    ("events", "NULL", "w.events"), ("status", "NULL", "w.status"), ("secret", NoSecret, SecretMarker("w"))))}
            )
            SELECT {Columns} FROM w
            """,
            new NpgsqlParameter<long> { TypedValue = projectId }, new NpgsqlParameter<string> { TypedValue = name },
            Sql.NullableText(description), new NpgsqlParameter<string> { TypedValue = url },
            new NpgsqlParameter<string[]> { TypedValue = events }, Sql.NullableText(protectedSecret),
            new NpgsqlParameter<string> { TypedValue = status }, new NpgsqlParameter<DateTime> { TypedValue = Timestamps.Now() });
        return (await ReadAsync(batch, cancellationToken)).Single();
    }

    /// <summary>Newest first (as MLflow lists them), keyset-paged.</summary>
    public async Task<(IReadOnlyList<Webhook> Webhooks, string? NextPageToken)> ListAsync(
        long projectId, int maxResults, string? pageToken, CancellationToken cancellationToken)
    {
        var after = PageToken.Decode(pageToken, "webhooks", [typeof(long), typeof(string)]) is [long ticks, string lastId]
            ? (CreatedAt: ticks is > 0 and < 3_155_378_975_999_999_999 ? new DateTime(ticks, DateTimeKind.Utc) : throw InvalidToken(), Id: Guid.TryParse(lastId, out var guid) ? guid : throw InvalidToken())
            : ((DateTime CreatedAt, Guid Id)?)null;
        await using var batch = dataSource.CreateBatch().Add(
            $"""
            SELECT {Columns} FROM webhooks w
            WHERE w.project_id = $1 AND ($2::timestamptz IS NULL OR (w.created_at, w.id) < ($2, $3::uuid))
            ORDER BY w.created_at DESC, w.id DESC
            LIMIT $4
            """,
            new NpgsqlParameter<long> { TypedValue = projectId },
            new NpgsqlParameter { Value = after is { } a ? a.CreatedAt : DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz },
            new NpgsqlParameter { Value = after is { } b ? b.Id : DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid },
            new NpgsqlParameter<int> { TypedValue = maxResults + 1 });
        var rows = await ReadRowsAsync(batch, cancellationToken);
        if (rows.Count <= maxResults)
        {
            return ([.. rows.Select(r => r.Webhook)], null);
        }
        var last = rows[maxResults - 1];
        return ([.. rows.Take(maxResults).Select(r => r.Webhook)], PageToken.Encode("webhooks", [last.CreatedAt.Ticks, last.Webhook.WebhookId]));
    }

    public async Task<Webhook?> FindAsync(long projectId, Guid id, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch().Add(
            $"SELECT {Columns} FROM webhooks w WHERE w.project_id = $1 AND w.id = $2",
            new NpgsqlParameter<long> { TypedValue = projectId }, new NpgsqlParameter<Guid> { TypedValue = id });
        return (await ReadAsync(batch, cancellationToken)).SingleOrDefault();
    }

    /// <summary>The URL and encrypted secret a delivery or a test is sent with.</summary>
    public async Task<(string Url, string? ProtectedSecret, string[] Events)?> TargetAsync(long projectId, Guid id, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT url, protected_secret, events FROM webhooks WHERE project_id = $1 AND id = $2");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = projectId });
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetFieldValue<string[]>(2))
            : null;
    }

    /// <summary>
    /// Changes what is given (null leaves a field as it is, as MLflow does). An explicit status clears the reason the
    /// registry gave for the old one, and re-enabling forgets past failures; disabling fails the pending deliveries.
    /// </summary>
    public async Task<Webhook?> UpdateAsync(
        long projectId, Guid id, string? name, string? description, string? url, string[]? events, string? protectedSecret, string? status,
        CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateRecordedBatch().Add(
            $"""
            WITH old AS (
                SELECT * FROM webhooks WHERE project_id = $1 AND id = $2 FOR UPDATE
            ), w AS (
                UPDATE webhooks w SET
                    name = COALESCE($3, w.name), description = COALESCE($4, w.description), url = COALESCE($5, w.url),
                    events = COALESCE($6, w.events), protected_secret = COALESCE($7, w.protected_secret), status = COALESCE($8, w.status),
                    status_reason = CASE WHEN $8 IS NULL THEN w.status_reason END,
                    failing_since = CASE WHEN $8 = 'ACTIVE' THEN NULL ELSE w.failing_since END,
                    updated_at = $9
                FROM old WHERE w.id = old.id
                RETURNING w.*
            ), dropped AS (
                UPDATE webhook_deliveries d SET state = 'failed', last_error = 'The webhook was disabled.'
                FROM w WHERE d.webhook_id = w.id AND w.status = 'DISABLED' AND d.state = 'pending'
            ), audit AS (
                {AuditSql.Insert("old JOIN w ON w.id = old.id", "webhook_updated", AuditEntity.Project, "$1", "Webhook", "w.id", "w.name", AuditSql.Changes(
                    ("name", "old.name", "w.name"), ("description", "old.description", "w.description"), ("url", "old.url", "w.url"),
                    ("events", "old.events", "w.events"), ("status", "old.status", "w.status"),
                    ("secret", SecretMarker("old"),
                     "CASE WHEN w.protected_secret IS NULL THEN NULL WHEN w.protected_secret IS NOT DISTINCT FROM old.protected_secret OR old.protected_secret IS NULL " +
                     "THEN '[FILTERED]' ELSE '[FILTERED] (replaced)' END")))}
            )
            SELECT {Columns} FROM w
            """,
            new NpgsqlParameter<long> { TypedValue = projectId }, new NpgsqlParameter<Guid> { TypedValue = id },
            Sql.NullableText(name), Sql.NullableText(description), Sql.NullableText(url),
            new NpgsqlParameter { Value = (object?)events ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text },
            Sql.NullableText(protectedSecret), Sql.NullableText(status), new NpgsqlParameter<DateTime> { TypedValue = Timestamps.Now() });
        return (await ReadAsync(batch, cancellationToken)).SingleOrDefault();
    }

    /// <returns>false when the project has no such webhook. Its deliveries go with it.</returns>
    public async Task<bool> DeleteAsync(long projectId, Guid id, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateRecordedBatch().Add(
            $"""
            WITH w AS (
                DELETE FROM webhooks WHERE project_id = $1 AND id = $2 RETURNING *
            ), audit AS (
                {AuditSql.Insert("w", "webhook_deleted", AuditEntity.Project, "$1", "Webhook", "w.id", "w.name", AuditSql.Changes(
                    ("name", "w.name", "NULL"), ("url", "w.url", "NULL"), ("events", "w.events", "NULL"), ("status", "w.status", "NULL")))}
            )
            SELECT count(*) FROM w
            """,
            new NpgsqlParameter<long> { TypedValue = projectId }, new NpgsqlParameter<Guid> { TypedValue = id });
        return (long)(await batch.ExecuteScalarAsync(cancellationToken))! > 0;
    }

    private static MlflowException InvalidToken() => new(MlflowError.InvalidParameterValue("Invalid page_token: it is malformed."));

    private static async Task<List<Webhook>> ReadAsync(NpgsqlBatch batch, CancellationToken cancellationToken) =>
        [.. (await ReadRowsAsync(batch, cancellationToken)).Select(r => r.Webhook)];

    private static async Task<List<(Webhook Webhook, DateTime CreatedAt)>> ReadRowsAsync(NpgsqlBatch batch, CancellationToken cancellationToken)
    {
        var rows = new List<(Webhook, DateTime)>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var createdAt = reader.GetDateTime(6);
            rows.Add((new Webhook(
                reader.GetGuid(0).ToString(), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3),
                [.. reader.GetFieldValue<string[]>(4).Select(WebhookValidation.ToWire)], reader.GetString(5),
                Timestamps.ToMillis(createdAt), Timestamps.ToMillis(reader.GetDateTime(7)), reader.IsDBNull(8) ? null : reader.GetString(8)), createdAt));
        }
        return rows;
    }
}
