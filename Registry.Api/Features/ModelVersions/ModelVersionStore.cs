using Npgsql;
using Registry.Api.Changes;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Artifacts;
using Registry.Api.Mlflow.Sql;

namespace Registry.Api.Features.ModelVersions;

/// <summary>
/// Model versions and their tags. Each operation is one statement in a recorded batch (with its audit and webhook
/// events): one round trip, one implicit transaction.
/// </summary>
internal sealed class ModelVersionStore(NpgsqlDataSource dataSource)
{
    /// <summary>How many copies (<c>models:/&lt;name&gt;/&lt;version&gt;</c> sources) get-download-uri follows.</summary>
    public const int MaxCopyDepth = 10;

    private static readonly SqlColumns CreatedSelect = new();
    private static readonly int CreatedVersion = CreatedSelect.Add("m.last_version");
    private static readonly int CreatedRunId = CreatedSelect.Add("v.run_id");

    private static readonly SqlColumns DownloadSelect = new();
    private static readonly int DownloadUriColumn = DownloadSelect.Add("uri");
    private static readonly int DownloadUnresolvedColumn = DownloadSelect.Add("unresolved");

    /// <summary>
    /// The model's row lock (taken by bumping its version counter) orders concurrent creates: each gets the next
    /// number, none fails, and a number once handed out is never handed out again, even after a delete.
    /// </summary>
    public async Task<Outcome<ModelVersion>> CreateAsync(
        long projectId, long userId, string name, string source, string? runId, string? runLink, string? description,
        IReadOnlyList<RegisteredModelTag> tags, string? loggedModelId, CancellationToken cancellationToken)
    {
        var now = Timestamps.Now();
        var sql = new SqlParameters();
        var (project, model, at) = (sql.Add(projectId), sql.Add(name), sql.Add(now));
        var (versionDescription, versionSource, loggedModel) = (sql.Add(description), sql.Add(source), sql.Add(loggedModelId));
        var (keys, values) = (sql.Add<string[]>([.. tags.Select(t => t.Key)]), sql.Add<string[]>([.. tags.Select(t => t.Value)]));
        await using var batch = dataSource.CreateRecordedBatch().Add(
            $"""
            WITH m AS (
                UPDATE ml_models SET last_version = last_version + 1, updated_at = {at}
                WHERE project_id = {project} AND name = {model}
                RETURNING id, last_version
            ), v AS (
                INSERT INTO ml_model_versions
                    (project_id, model_id, version, description, source, run_id, run_link, status, current_stage, user_id, created_at, updated_at, logged_model_id)
                SELECT {project}, m.id, m.last_version, {versionDescription}, {versionSource},
                       COALESCE({sql.Add(runId)}, (SELECT lm.source_run_id FROM ml_logged_models lm WHERE lm.project_id = {project} AND lm.model_id = {loggedModel})),
                       {sql.Add(runLink)}, 'READY', 'None', {sql.Add(userId)}, {at}, {at}, {loggedModel} FROM m
                RETURNING id, run_id
            ), tags AS (
                INSERT INTO ml_model_version_metadata (model_version_id, name, value, created_at, updated_at)
                SELECT v.id, tag.key, tag.value, {at}, {at} FROM v, unnest({keys}::text[], {values}::text[]) AS tag(key, value)
            ), audit AS (
                {AuditSql.Insert("m, v", "model_version_created", AuditEntity.Project, project, "ModelVersion", "v.id", $"{model} || '/' || m.last_version",
                    AuditSql.Changes(("source", "NULL", $"{versionSource}::text"), ("run_id", "NULL", "v.run_id"), ("description", "NULL", $"{versionDescription}::text"),
                        ("tags", "NULL", WebhookEventSql.Tags(keys, values))))}
            ), hook AS (
                {WebhookEventSql.Insert("m, v", project,
                    WebhookEventSql.ModelVersionCreated($"{model}::text", "m.last_version", $"{versionSource}::text", "v.run_id", $"{versionDescription}::text", keys, values))}
            )
            SELECT {CreatedSelect.Sql} FROM m, v
            """,
            sql);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return ModelRegistryErrors.ModelNotFound(name);
        }

        var millis = Timestamps.ToMillis(now);
        return new ModelVersion(name, WireIds.Text(reader.GetInt32(CreatedVersion)), millis, millis, WireIds.Text(userId), "None", description, source,
            await reader.IsDBNullAsync(CreatedRunId, cancellationToken) ? null : reader.GetString(CreatedRunId), "READY", null, tags, runLink, [], loggedModelId);
    }

    public async Task<Outcome<ModelVersion>> FindAsync(long projectId, string name, int version, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        await using var command = sql.Command(dataSource,
            $"SELECT {ModelVersionSql.Json} FROM ml_model_versions v JOIN ml_models m ON m.id = v.model_id WHERE {VersionKey.Of(sql, projectId, name, version).Where}");
        return await command.ExecuteScalarAsync(cancellationToken) is string json
            ? ModelVersionSql.Parse(json)
            : ModelRegistryErrors.VersionNotFound(name, version);
    }

    public Task<Outcome<ModelVersion>> UpdateDescriptionAsync(long projectId, string name, int version, string? description, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var key = VersionKey.Of(sql, projectId, name, version);
        return ReadAsync(
            $"""
            WITH old AS (
                SELECT v.id, v.description FROM ml_model_versions v JOIN ml_models m ON m.id = v.model_id WHERE {key.Where} FOR UPDATE OF v
            ), updated AS (
                UPDATE ml_model_versions v SET description = {sql.Add(description)}, updated_at = {sql.Add(Timestamps.Now())}
                FROM old WHERE v.id = old.id
                RETURNING v.*
            ), audit AS (
                {AuditSql.Insert("old JOIN updated ON updated.id = old.id", "model_version_updated", AuditEntity.Project, key.Project, "ModelVersion", "updated.id",
                    key.Details, AuditSql.Changes(("description", "old.description", "updated.description")))}
            )
            SELECT {ModelVersionSql.Json} FROM updated v JOIN ml_models m ON m.id = v.model_id
            """,
            sql, name, version, cancellationToken);
    }

    /// <summary>Deletes the version with its tags and the aliases that point at it (cascades); bumps the model's timestamp.</summary>
    public Task<Outcome<Done>> DeleteAsync(long projectId, string name, int version, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var key = VersionKey.Of(sql, projectId, name, version);
        return CountAsync(
            $"""
            WITH deleted AS (
                DELETE FROM ml_model_versions v USING ml_models m WHERE m.id = v.model_id AND {key.Where} RETURNING v.model_id, v.id, v.source
            ), touched AS (
                UPDATE ml_models SET updated_at = {sql.Add(Timestamps.Now())} WHERE id IN (SELECT model_id FROM deleted)
            ), audit AS (
                {AuditSql.Insert("deleted", "model_version_deleted", AuditEntity.Project, key.Project, "ModelVersion", "deleted.id", key.Details,
                    AuditSql.Changes(("source", "deleted.source", "NULL")))}
            )
            SELECT count(*) FROM deleted
            """,
            sql, name, version, cancellationToken);
    }

    public Task<Outcome<Done>> SetTagAsync(long projectId, string name, int version, string key, string value, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var target = VersionKey.Of(sql, projectId, name, version);
        var (tagKey, tagValue, at) = (sql.Add(key), sql.Add(value), sql.Add(Timestamps.Now()));
        return CountAsync(
            $"""
            WITH target AS (
                SELECT v.id, v.model_id, (SELECT value FROM ml_model_version_metadata WHERE model_version_id = v.id AND name = {tagKey}) AS old_value
                FROM ml_model_versions v JOIN ml_models m ON m.id = v.model_id WHERE {target.Where} FOR KEY SHARE OF v
            ), tag AS (
                INSERT INTO ml_model_version_metadata (model_version_id, name, value, created_at, updated_at)
                SELECT id, {tagKey}, {tagValue}, {at}, {at} FROM target
                ON CONFLICT (model_version_id, name) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at
            ), audit AS (
                {AuditSql.Insert("target", "model_version_tag_set", AuditEntity.Project, target.Project, "ModelVersion", "target.id", target.Details,
                    AuditSql.KeyedChange("tags", tagKey, "target.old_value", $"{tagValue}::text"))}
            ), hook AS (
                {WebhookEventSql.Insert("target", target.Project,
                    WebhookEventSql.ModelVersionTagSet("target.model_id", $"{target.Name}::text", target.Number, $"{tagKey}::text", $"{tagValue}::text"))}
            )
            SELECT count(*) FROM target
            """,
            sql, name, version, cancellationToken);
    }

    /// <summary>A missing tag is not an error (as in MLflow); a missing version is.</summary>
    public Task<Outcome<Done>> DeleteTagAsync(long projectId, string name, int version, string key, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var target = VersionKey.Of(sql, projectId, name, version);
        var tagKey = sql.Add(key);
        return CountAsync(
            $"""
            WITH target AS (
                SELECT v.id, v.model_id FROM ml_model_versions v JOIN ml_models m ON m.id = v.model_id WHERE {target.Where}
            ), tag AS (
                DELETE FROM ml_model_version_metadata t USING target WHERE t.model_version_id = target.id AND t.name = {tagKey} RETURNING t.value
            ), audit AS (
                {AuditSql.Insert("target", "model_version_tag_deleted", AuditEntity.Project, target.Project, "ModelVersion", "target.id", target.Details,
                    AuditSql.KeyedChange("tags", tagKey, "(SELECT value FROM tag)", "NULL::text"))}
            ), hook AS (
                {WebhookEventSql.Insert("target", target.Project,
                    WebhookEventSql.ModelVersionTagDeleted("target.model_id", $"{target.Name}::text", target.Number, $"{tagKey}::text"))}
            )
            SELECT count(*) FROM target
            """,
            sql, name, version, cancellationToken);
    }

    /// <summary>
    /// Where the version's files are. Follows <c>models:/&lt;name&gt;/&lt;version&gt;</c> sources to the version that holds
    /// the files (at most <see cref="MaxCopyDepth"/> hops: a copy of a copy of itself ends), then resolves a <c>runs:/</c>
    /// source to the run's artifact location and a <c>models:/&lt;model_id&gt;</c> source to the logged model's. One statement.
    /// </summary>
    public async Task<Outcome<DownloadUri>> ResolveDownloadUriAsync(long projectId, string name, int version, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var key = VersionKey.Of(sql, projectId, name, version);
        var maxDepth = sql.Add(MaxCopyDepth);
        await using var command = sql.Command(dataSource,
            $$"""
            WITH RECURSIVE chain(depth, source) AS (
                SELECT 0, v.source FROM ml_model_versions v JOIN ml_models m ON m.id = v.model_id WHERE {{key.Where}}
                UNION ALL
                SELECT c.depth + 1, v.source
                FROM chain c
                JOIN ml_models m ON m.project_id = {{key.Project}} AND m.name = substring(c.source FROM '^models:/([^/]+)/[0-9]{1,9}$')
                JOIN ml_model_versions v ON v.model_id = m.id AND v.version = substring(c.source FROM '^models:/[^/]+/([0-9]{1,9})$')::int
                WHERE c.depth < {{maxDepth}}
            ), last AS (
                SELECT depth, source FROM chain ORDER BY depth DESC LIMIT 1
            ), resolved AS (
                SELECT COALESCE(
                           (SELECT {{ArtifactUris.RunSql}} || COALESCE('/' || NULLIF(substring(last.source FROM '^runs:/[^/]+/(.*)$'), ''), '')
                            FROM ml_candidates r JOIN ml_experiments e ON e.id = r.experiment_id
                            WHERE r.project_id = {{key.Project}} AND r.run_id = substring(last.source FROM '^runs:/([^/]+)')),
                           (SELECT {{ArtifactUris.LoggedModelSql}}
                            FROM ml_logged_models lm JOIN ml_experiments e ON e.id = lm.experiment_id
                            WHERE lm.project_id = {{key.Project}} AND lm.deleted_at IS NULL AND lm.model_id = substring(last.source FROM '^models:/(m-[^/]+)/?$')),
                           last.source) AS uri,
                       last.depth = {{maxDepth}} AND last.source ~ '^models:/[^/]+/[0-9]{1,9}$' AS unresolved
                FROM last
            )
            SELECT {{DownloadSelect.Sql}} FROM resolved
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new DownloadUri(reader.GetString(DownloadUriColumn), reader.GetBoolean(DownloadUnresolvedColumn))
            : ModelRegistryErrors.VersionNotFound(name, version);
    }

    /// <summary>A write that answers with the version, in a recorded batch.</summary>
    private async Task<Outcome<ModelVersion>> ReadAsync(string text, SqlParameters sql, string name, int version, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateRecordedBatch().Add(text, sql);
        return await batch.ExecuteScalarAsync(cancellationToken) is string json
            ? ModelVersionSql.Parse(json)
            : ModelRegistryErrors.VersionNotFound(name, version);
    }

    /// <summary>A write that answers how many versions it found, in a recorded batch.</summary>
    private async Task<Outcome<Done>> CountAsync(string text, SqlParameters sql, string name, int version, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateRecordedBatch().Add(text, sql);
        return (long)(await batch.ExecuteScalarAsync(cancellationToken))! > 0 ? new Done() : ModelRegistryErrors.VersionNotFound(name, version);
    }
}

/// <param name="Unresolved">The chain of copies did not end within <see cref="ModelVersionStore.MaxCopyDepth"/> hops.</param>
internal sealed record DownloadUri(string Uri, bool Unresolved);
