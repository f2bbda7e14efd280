using Npgsql;
using Registry.Api.Changes;
using Registry.Api.Features.RegisteredModels;
using Registry.Api.Mlflow;

namespace Registry.Api.Features.ModelVersions;

/// <summary>
/// Model versions and their tags. Each operation is one statement in a recorded batch (with its audit and webhook
/// events): one round trip, one implicit transaction.
/// </summary>
internal sealed class ModelVersionStore(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// The model's row lock (taken by bumping its version counter) orders concurrent creates: each gets the next
    /// number, none fails, and a number once handed out is never handed out again, even after a delete.
    /// </summary>
    private static readonly string CreateSql =
        $"""
        WITH m AS (
            UPDATE ml_models SET last_version = last_version + 1, updated_at = $3
            WHERE project_id = $1 AND name = $2
            RETURNING id, last_version
        ), v AS (
            INSERT INTO ml_model_versions
                (project_id, model_id, version, description, source, run_id, run_link, status, current_stage, user_id, created_at, updated_at, logged_model_id)
            SELECT $1, m.id, m.last_version, $4, $5,
                   COALESCE($6, (SELECT lm.source_run_id FROM ml_logged_models lm WHERE lm.project_id = $1 AND lm.model_id = $11)),
                   $7, 'READY', 'None', $8, $3, $3, $11 FROM m
            RETURNING id, run_id
        ), tags AS (
            INSERT INTO ml_model_version_metadata (model_version_id, name, value, created_at, updated_at)
            SELECT v.id, tag.key, tag.value, $3, $3 FROM v, unnest($9::text[], $10::text[]) AS tag(key, value)
        ), audit AS (
            {AuditSql.Insert("m, v", "model_version_created", AuditEntity.Project, "$1", "ModelVersion", "v.id", "$2 || '/' || m.last_version",
                AuditSql.Changes(("source", "NULL", "$5::text"), ("run_id", "NULL", "v.run_id"), ("description", "NULL", "$4::text"),
                    ("tags", "NULL", WebhookEventSql.Tags("$9", "$10"))))}
        ), hook AS (
            {WebhookEventSql.Insert("m, v", "$1", WebhookEventSql.ModelVersionCreated("$2::text", "m.last_version", "$5::text", "v.run_id", "$4::text", "$9", "$10"))}
        )
        SELECT m.last_version, v.run_id FROM m, v
        """;

    private const string VersionWhere = "m.project_id = $1 AND m.name = $2 AND v.version = $3";

    /// <summary>How many copies (<c>models:/&lt;name&gt;/&lt;version&gt;</c> sources) get-download-uri follows.</summary>
    public const int MaxCopyDepth = 10;

    /// <summary>
    /// Follows <c>models:/&lt;name&gt;/&lt;version&gt;</c> sources to the version that holds the files (at most
    /// <see cref="MaxCopyDepth"/> hops: a copy of a copy of itself ends), then resolves a <c>runs:/</c> source to the
    /// run's artifact location and a <c>models:/&lt;model_id&gt;</c> source to the logged model's. One statement.
    /// </summary>
    private const string ResolveDownloadUriSql =
        $$"""
        WITH RECURSIVE chain(depth, source) AS (
            SELECT 0, v.source FROM ml_model_versions v JOIN ml_models m ON m.id = v.model_id WHERE {{VersionWhere}}
            UNION ALL
            SELECT c.depth + 1, v.source
            FROM chain c
            JOIN ml_models m ON m.project_id = $1 AND m.name = substring(c.source FROM '^models:/([^/]+)/[0-9]{1,9}$')
            JOIN ml_model_versions v ON v.model_id = m.id AND v.version = substring(c.source FROM '^models:/[^/]+/([0-9]{1,9})$')::int
            WHERE c.depth < $4
        ), last AS (
            SELECT depth, source FROM chain ORDER BY depth DESC LIMIT 1
        )
        SELECT COALESCE(
                   (SELECT {{Runs.RunSql.ArtifactUri}} || COALESCE('/' || NULLIF(substring(last.source FROM '^runs:/[^/]+/(.*)$'), ''), '')
                    FROM ml_candidates r JOIN ml_experiments e ON e.id = r.experiment_id
                    WHERE r.project_id = $1 AND r.run_id = substring(last.source FROM '^runs:/([^/]+)')),
                   (SELECT {{LoggedModels.LoggedModelSql.ArtifactUriSql}}
                    FROM {{LoggedModels.LoggedModelSql.From}}
                    WHERE lm.project_id = $1 AND lm.deleted_at IS NULL AND lm.model_id = substring(last.source FROM '^models:/(m-[^/]+)/?$')),
                   last.source),
               last.depth = $4 AND last.source ~ '^models:/[^/]+/[0-9]{1,9}$'
        FROM last
        """;

    /// <returns>The new version, or null when the registered model does not exist.</returns>
    public async Task<ModelVersion?> CreateAsync(
        long projectId, long userId, string name, string source, string? runId, string? runLink, string? description,
        IReadOnlyList<RegisteredModelTag> tags, string? loggedModelId, CancellationToken cancellationToken)
    {
        var now = Timestamps.Now();
        await using var batch = dataSource.CreateRecordedBatch().Add(CreateSql,
            new NpgsqlParameter<long> { TypedValue = projectId },
            new NpgsqlParameter<string> { TypedValue = name },
            new NpgsqlParameter<DateTime> { TypedValue = now },
            Sql.NullableText(description),
            new NpgsqlParameter<string> { TypedValue = source },
            Sql.NullableText(runId),
            Sql.NullableText(runLink),
            new NpgsqlParameter<long> { TypedValue = userId },
            new NpgsqlParameter<string[]> { TypedValue = [.. tags.Select(t => t.Key)] },
            new NpgsqlParameter<string[]> { TypedValue = [.. tags.Select(t => t.Value)] },
            Sql.NullableText(loggedModelId));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var millis = Timestamps.ToMillis(now);
        return new ModelVersion(name, Sql.Text(reader.GetInt32(0)), millis, millis, Sql.Text(userId), "None", description, source,
            await reader.IsDBNullAsync(1, cancellationToken) ? null : reader.GetString(1), "READY", null, tags, runLink, [], loggedModelId);
    }

    public async Task<ModelVersion?> FindAsync(long projectId, string name, int version, CancellationToken cancellationToken)
    {
        await using var command = Command(
            $"SELECT {ModelVersionSql.Json} FROM ml_model_versions v JOIN ml_models m ON m.id = v.model_id WHERE {VersionWhere}", projectId, name, version, []);
        return await ModelVersionSql.ReadOneAsync(command, cancellationToken);
    }

    public Task<ModelVersion?> UpdateDescriptionAsync(long projectId, string name, int version, string? description, CancellationToken cancellationToken) =>
        ReadAsync(
            $"""
            WITH old AS (
                SELECT v.id, v.description FROM ml_model_versions v JOIN ml_models m ON m.id = v.model_id WHERE {VersionWhere} FOR UPDATE OF v
            ), updated AS (
                UPDATE ml_model_versions v SET description = $4, updated_at = $5
                FROM old WHERE v.id = old.id
                RETURNING v.*
            ), audit AS (
                {AuditSql.Insert("old JOIN updated ON updated.id = old.id", "model_version_updated", AuditEntity.Project, "$1", "ModelVersion", "updated.id",
                    "$2 || '/' || $3", AuditSql.Changes(("description", "old.description", "updated.description")))}
            )
            SELECT {ModelVersionSql.Json} FROM updated v JOIN ml_models m ON m.id = v.model_id
            """,
            projectId, name, version, [Sql.NullableText(description), new NpgsqlParameter<DateTime> { TypedValue = Timestamps.Now() }],
            cancellationToken);

    /// <summary>Deletes the version with its tags and the aliases that point at it (cascades); bumps the model's timestamp.</summary>
    public Task<bool> DeleteAsync(long projectId, string name, int version, CancellationToken cancellationToken) =>
        CountAsync(
            $"""
            WITH deleted AS (
                DELETE FROM ml_model_versions v USING ml_models m WHERE m.id = v.model_id AND {VersionWhere} RETURNING v.model_id, v.id, v.source
            ), touched AS (
                UPDATE ml_models SET updated_at = $4 WHERE id IN (SELECT model_id FROM deleted)
            ), audit AS (
                {AuditSql.Insert("deleted", "model_version_deleted", AuditEntity.Project, "$1", "ModelVersion", "deleted.id", "$2 || '/' || $3",
                    AuditSql.Changes(("source", "deleted.source", "NULL")))}
            )
            SELECT count(*) FROM deleted
            """,
            projectId, name, version, [new NpgsqlParameter<DateTime> { TypedValue = Timestamps.Now() }], cancellationToken);

    /// <returns>false when the version does not exist.</returns>
    public Task<bool> SetTagAsync(long projectId, string name, int version, string key, string value, CancellationToken cancellationToken) =>
        CountAsync(
            $"""
            WITH target AS (
                SELECT v.id, v.model_id, (SELECT value FROM ml_model_version_metadata WHERE model_version_id = v.id AND name = $4) AS old_value
                FROM ml_model_versions v JOIN ml_models m ON m.id = v.model_id WHERE {VersionWhere} FOR KEY SHARE OF v
            ), tag AS (
                INSERT INTO ml_model_version_metadata (model_version_id, name, value, created_at, updated_at)
                SELECT id, $4, $5, $6, $6 FROM target
                ON CONFLICT (model_version_id, name) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at
            ), audit AS (
                {AuditSql.Insert("target", "model_version_tag_set", AuditEntity.Project, "$1", "ModelVersion", "target.id", "$2 || '/' || $3",
                    AuditSql.KeyedChange("tags", "$4", "target.old_value", "$5::text"))}
            ), hook AS (
                {WebhookEventSql.Insert("target", "$1", WebhookEventSql.ModelVersionTagSet("target.model_id", "$2::text", "$3", "$4::text", "$5::text"))}
            )
            SELECT count(*) FROM target
            """,
            projectId, name, version,
            [new NpgsqlParameter<string> { TypedValue = key }, new NpgsqlParameter<string> { TypedValue = value },
             new NpgsqlParameter<DateTime> { TypedValue = Timestamps.Now() }],
            cancellationToken);

    /// <returns>false when the version does not exist; a missing tag is not an error (as in MLflow).</returns>
    public Task<bool> DeleteTagAsync(long projectId, string name, int version, string key, CancellationToken cancellationToken) =>
        CountAsync(
            $"""
            WITH target AS (
                SELECT v.id, v.model_id FROM ml_model_versions v JOIN ml_models m ON m.id = v.model_id WHERE {VersionWhere}
            ), tag AS (
                DELETE FROM ml_model_version_metadata t USING target WHERE t.model_version_id = target.id AND t.name = $4 RETURNING t.value
            ), audit AS (
                {AuditSql.Insert("target", "model_version_tag_deleted", AuditEntity.Project, "$1", "ModelVersion", "target.id", "$2 || '/' || $3",
                    AuditSql.KeyedChange("tags", "$4", "(SELECT value FROM tag)", "NULL::text"))}
            ), hook AS (
                {WebhookEventSql.Insert("target", "$1", WebhookEventSql.ModelVersionTagDeleted("target.model_id", "$2::text", "$3", "$4::text"))}
            )
            SELECT count(*) FROM target
            """,
            projectId, name, version, [new NpgsqlParameter<string> { TypedValue = key }], cancellationToken);

    /// <returns>Where the version's files are, or null when the version does not exist.</returns>
    public async Task<DownloadUri?> ResolveDownloadUriAsync(long projectId, string name, int version, CancellationToken cancellationToken)
    {
        await using var command = Command(ResolveDownloadUriSql, projectId, name, version, [new NpgsqlParameter<int> { TypedValue = MaxCopyDepth }]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new DownloadUri(reader.GetString(0), reader.GetBoolean(1)) : null;
    }

    /// <summary>A write that answers with the version, in a recorded batch.</summary>
    private async Task<ModelVersion?> ReadAsync(string sql, long projectId, string name, int version, NpgsqlParameter[] more, CancellationToken cancellationToken)
    {
        await using var batch = RecordedBatch(sql, projectId, name, version, more);
        return await batch.ExecuteScalarAsync(cancellationToken) is string json ? ModelVersionSql.Parse(json) : null;
    }

    /// <summary>A write that answers how many versions it found, in a recorded batch.</summary>
    private async Task<bool> CountAsync(string sql, long projectId, string name, int version, NpgsqlParameter[] more, CancellationToken cancellationToken)
    {
        await using var batch = RecordedBatch(sql, projectId, name, version, more);
        return (long)(await batch.ExecuteScalarAsync(cancellationToken))! > 0;
    }

    private NpgsqlBatch RecordedBatch(string sql, long projectId, string name, int version, NpgsqlParameter[] more) =>
        dataSource.CreateRecordedBatch().Add(sql, [
            new NpgsqlParameter<long> { TypedValue = projectId }, new NpgsqlParameter<string> { TypedValue = name },
            new NpgsqlParameter<int> { TypedValue = version }, .. more]);

    private NpgsqlCommand Command(string sql, long projectId, string name, int version, NpgsqlParameter[] more)
    {
        var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = projectId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = version });
        command.Parameters.AddRange(more);
        return command;
    }
}

/// <param name="Unresolved">The chain of copies did not end within <see cref="ModelVersionStore.MaxCopyDepth"/> hops.</param>
internal sealed record DownloadUri(string Uri, bool Unresolved);
