using Npgsql;
using Registry.Api.Changes;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Artifacts;
using Registry.Api.Mlflow.Search;
using Registry.Api.Mlflow.Sql;
using Registry.Api.Mlflow.Tracking;

namespace Registry.Api.Features.LoggedModels;

/// <summary>
/// Logged models, their params (write-once) and tags. Create, finalize, delete and tag
/// writes record their audit event (target <c>LoggedModel</c>, its model id) in their own statement.
/// </summary>
internal sealed class LoggedModelStore(NpgsqlDataSource dataSource)
{
    public const string Pending = "LOGGED_MODEL_PENDING";

    private static readonly SqlColumns CreatedSelect = new();
    private static readonly int CreatedExperimentsFound = CreatedSelect.Add("(SELECT count(*) FROM e)");
    private static readonly int CreatedModels = CreatedSelect.Add("(SELECT count(*) FROM lm)");

    private static readonly SqlColumns TagDeletedSelect = new();
    private static readonly int TagDeletedModelsFound = TagDeletedSelect.Add("(SELECT count(*) FROM lm)");
    private static readonly int TagsDeleted = TagDeletedSelect.Add("(SELECT count(*) FROM deleted)");

    public async Task<Outcome<LoggedModel>> CreateAsync(
        long projectId, long userId, ExperimentId experimentId, string name, string? modelType, string? sourceRunId,
        IReadOnlyList<KeyValue> parameters, IReadOnlyList<KeyValue> tags, CancellationToken cancellationToken)
    {
        var modelId = $"m-{Guid.NewGuid():N}";
        var now = Timestamps.Now();
        await using var batch = dataSource.CreateRecordedBatch();
        if (experimentId.Iid == ExperimentSql.DefaultId)
        {
            batch.BatchCommands.Add(ExperimentSql.EnsureDefault(projectId));
        }
        var sql = new SqlParameters();
        var (project, experiment, model, modelName) = (sql.Add(projectId), sql.Add(experimentId.Iid), sql.Add(modelId), sql.Add(name));
        var (type, sourceRun, at) = (sql.Add(modelType), sql.Add(sourceRunId), sql.Add(now));
        var (paramKeys, paramValues) = (sql.Add<string[]>([.. parameters.Select(p => p.Key)]), sql.Add<string[]>([.. parameters.Select(p => p.Value)]));
        var (tagKeys, tagValues) = (sql.Add<string[]>([.. tags.Select(t => t.Key)]), sql.Add<string[]>([.. tags.Select(t => t.Value)]));
        batch.Add(
            $"""
            WITH e AS (
                SELECT id, deleted_at FROM ml_experiments WHERE project_id = {project} AND iid = {experiment} FOR KEY SHARE
            ), lm AS (
                INSERT INTO ml_logged_models (project_id, experiment_id, model_id, name, model_type, source_run_id, status, user_id, created_at, updated_at)
                SELECT {project}, e.id, {model}, {modelName}, {type}, {sourceRun}, '{Pending}', {sql.Add(userId)}, {at}, {at} FROM e WHERE e.deleted_at IS NULL
                RETURNING id
            ), params AS (
                INSERT INTO ml_logged_model_params (logged_model_id, name, value)
                SELECT lm.id, p.key, p.value FROM lm, unnest({paramKeys}::text[], {paramValues}::text[]) AS p(key, value)
            ), tags AS (
                INSERT INTO ml_logged_model_tags (logged_model_id, name, value)
                SELECT lm.id, t.key, t.value FROM lm, unnest({tagKeys}::text[], {tagValues}::text[]) AS t(key, value)
            ), audit AS (
                {AuditSql.Insert("lm", "logged_model_created", AuditEntity.Project, project, Target, model, modelName, AuditSql.Changes(
                    ("name", "NULL", $"{modelName}::text"), ("experiment_id", "NULL", $"{experiment}::text"), ("model_type", "NULL", $"{type}::text"),
                    ("source_run_id", "NULL", $"{sourceRun}::text"), ("tags", "NULL", WebhookEventSql.Tags(tagKeys, tagValues))))}
            )
            SELECT {CreatedSelect.Sql}
            """,
            sql);
        // The reader skips statements that return no rows, so it starts at the SELECT.
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        if (reader.GetInt64(CreatedExperimentsFound) == 0)
        {
            return experimentId.NotFound();
        }
        if (reader.GetInt64(CreatedModels) == 0)
        {
            return MlflowError.InvalidParameterValue($"The experiment {experimentId.Sent} must be in the 'active' state. Current state is deleted.");
        }

        var millis = Timestamps.ToMillis(now);
        var wireExperimentId = WireIds.Text(experimentId.Iid);
        var info = new LoggedModelInfo(modelId, wireExperimentId, name, millis, millis, ArtifactUris.LoggedModel(wireExperimentId, modelId), Pending,
            userId, modelType, sourceRunId, null, [.. tags.OrderBy(t => t.Key, StringComparer.Ordinal)], []);
        return new LoggedModel(info, new LoggedModelData([.. parameters.OrderBy(p => p.Key, StringComparer.Ordinal)], []));
    }

    public async Task<Outcome<LoggedModel>> FindAsync(long projectId, string modelId, bool allowDeleted, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        await using var command = sql.Command(dataSource,
            $"SELECT {LoggedModelSql.Json} FROM {LoggedModelSql.From} WHERE lm.project_id = {sql.Add(projectId)} AND lm.model_id = {sql.Add(modelId)} AND ({sql.Add(allowDeleted)} OR lm.deleted_at IS NULL)");
        return await command.ExecuteScalarAsync(cancellationToken) is string json ? LoggedModelSql.Parse(json) : LoggedModelSql.NotFound(modelId);
    }

    public async Task<Outcome<LoggedModel>> FinalizeAsync(long projectId, string modelId, string status, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var (project, model) = (sql.Add(projectId), sql.Add(modelId));
        await using var batch = dataSource.CreateRecordedBatch().Add(
            $"""
            WITH old AS (
                SELECT lm.id, lm.status FROM ml_logged_models lm WHERE {Live(project, model)} FOR UPDATE
            ), lm AS (
                UPDATE ml_logged_models lm SET status = {sql.Add(status)}, updated_at = {sql.Add(Timestamps.Now())} FROM old WHERE lm.id = old.id RETURNING lm.*
            ), audit AS (
                {AuditSql.Insert("old JOIN lm ON lm.id = old.id", "logged_model_finalized", AuditEntity.Project, project, Target, model, "lm.name",
                    AuditSql.Changes(("status", "old.status", "lm.status")))}
            )
            SELECT {LoggedModelSql.Json} FROM lm JOIN ml_experiments e ON e.id = lm.experiment_id
            """,
            sql);
        return await batch.ExecuteScalarAsync(cancellationToken) is string json ? LoggedModelSql.Parse(json) : LoggedModelSql.NotFound(modelId);
    }

    /// <summary>Soft delete: hidden from get and search, visible with allow_deleted.</summary>
    public async Task<Outcome<Done>> DeleteAsync(long projectId, string modelId, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var (project, model, at) = (sql.Add(projectId), sql.Add(modelId), sql.Add(Timestamps.Now()));
        await using var batch = dataSource.CreateRecordedBatch().Add(
            $"""
            WITH lm AS (
                UPDATE ml_logged_models lm SET deleted_at = {at}, updated_at = {at} WHERE {Live(project, model)} RETURNING lm.name
            ), audit AS (
                {AuditSql.Insert("lm", "logged_model_deleted", AuditEntity.Project, project, Target, model, "lm.name",
                    AuditSql.Changes(("lifecycle_stage", "'active'::text", "'deleted'::text")))}
            )
            SELECT count(*) FROM lm
            """,
            sql);
        return (long)(await batch.ExecuteScalarAsync(cancellationToken))! > 0 ? new Done() : LoggedModelSql.NotFound(modelId);
    }

    /// <summary>Upserts the tags and answers with the model, in one round trip (the SELECT sees the upsert).</summary>
    public async Task<Outcome<LoggedModel>> SetTagsAsync(long projectId, string modelId, IReadOnlyList<KeyValue> tags, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var (project, model) = (sql.Add(projectId), sql.Add(modelId));
        var (keys, values) = (sql.Add<string[]>([.. tags.Select(t => t.Key)]), sql.Add<string[]>([.. tags.Select(t => t.Value)]));
        var read = new SqlParameters();
        await using var batch = dataSource.CreateRecordedBatch()
            .Add(
                $"""
                WITH lm AS (
                    SELECT lm.id, lm.name FROM ml_logged_models lm WHERE {Live(project, model)} FOR KEY SHARE
                ), audit AS (
                    {AuditSql.Insert("lm", "logged_model_tags_set", AuditEntity.Project, project, Target, model, "lm.name", ChangedTags(keys, values))}
                )
                INSERT INTO ml_logged_model_tags (logged_model_id, name, value)
                SELECT lm.id, t.key, t.value FROM lm, unnest({keys}::text[], {values}::text[]) AS t(key, value)
                ON CONFLICT (logged_model_id, name) DO UPDATE SET value = EXCLUDED.value
                """,
                sql)
            .Add($"SELECT {LoggedModelSql.Json} FROM {LoggedModelSql.From} WHERE {Live(read.Add(projectId), read.Add(modelId))}", read);
        return await batch.ExecuteScalarAsync(cancellationToken) is string json ? LoggedModelSql.Parse(json) : LoggedModelSql.NotFound(modelId);
    }

    /// <summary>A missing model and a missing tag are both RESOURCE_DOES_NOT_EXIST, with MLflow's different messages.</summary>
    public async Task<Outcome<Done>> DeleteTagAsync(long projectId, string modelId, string key, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var (project, model, tagKey) = (sql.Add(projectId), sql.Add(modelId), sql.Add(key));
        await using var batch = dataSource.CreateRecordedBatch().Add(
            $"""
            WITH lm AS (
                SELECT lm.id, lm.name FROM ml_logged_models lm WHERE {Live(project, model)}
            ), deleted AS (
                DELETE FROM ml_logged_model_tags t USING lm WHERE t.logged_model_id = lm.id AND t.name = {tagKey} RETURNING t.value
            ), audit AS (
                {AuditSql.Insert("lm, deleted", "logged_model_tag_deleted", AuditEntity.Project, project, Target, model, "lm.name",
                    AuditSql.KeyedChange("tags", tagKey, "deleted.value", "NULL::text"))}
            )
            SELECT {TagDeletedSelect.Sql}
            """,
            sql);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return reader.GetInt64(TagDeletedModelsFound) == 0 ? LoggedModelSql.NotFound(modelId)
            : reader.GetInt64(TagsDeleted) == 0 ? MlflowError.ResourceDoesNotExist($"No tag with key '{key}' on logged model '{modelId}'.")
            : new Done();
    }

    /// <summary>Params are write-once, as a run's: the same value again is fine, another value fails the whole request.</summary>
    public async Task<Outcome<Done>> LogParamsAsync(long projectId, string modelId, IReadOnlyList<KeyValue> parameters, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var (project, model) = (sql.Add(projectId), sql.Add(modelId));
        var (keys, values) = (sql.Add<string[]>([.. parameters.Select(p => p.Key)]), sql.Add<string[]>([.. parameters.Select(p => p.Value)]));
        await using var command = sql.Command(dataSource,
            $"""
            WITH lm AS (
                SELECT lm.id FROM ml_logged_models lm WHERE {Live(project, model)} FOR KEY SHARE
            ), params AS (
                INSERT INTO ml_logged_model_params (logged_model_id, name, value)
                SELECT lm.id, p.key, p.value FROM lm, unnest({keys}::text[], {values}::text[]) AS p(key, value)
                ON CONFLICT (logged_model_id, name) DO UPDATE SET value = ml_logged_model_params.value
                WHERE ml_logged_model_params.value <> EXCLUDED.value
                RETURNING name, xmax <> 0 AS conflicted
            )
            SELECT (SELECT count(*) FROM lm),
                   (SELECT registry_fail('Changing param values is not allowed. Already logged with a different value: ' || string_agg(name, ', ' ORDER BY name))
                    FROM params WHERE conflicted HAVING count(*) > 0)
            """);
        try
        {
            return (long)(await command.ExecuteScalarAsync(cancellationToken))! > 0 ? new Done() : LoggedModelSql.NotFound(modelId);
        }
        catch (PostgresException e) when (e.SqlState == SqlStates.Rejected)
        {
            return MlflowError.InvalidParameterValue(e.MessageText);
        }
    }

    private const string Target = "LoggedModel";

    /// <summary>SQL: the live model <c>lm</c> of the project and model id placeholders.</summary>
    private static string Live(string project, string model) => $"lm.project_id = {project} AND lm.model_id = {model} AND lm.deleted_at IS NULL";

    /// <summary>The tags (placeholders of key and value arrays) whose values differ from what model <c>lm</c> has (the statement's snapshot), as audit changes.</summary>
    private static string ChangedTags(string keys, string values) =>
        $"""
        (SELECT jsonb_object_agg('tags.' || t.key, jsonb_build_object('from', old.value, 'to', t.value))
         FROM unnest({keys}::text[], {values}::text[]) AS t(key, value)
         LEFT JOIN ml_logged_model_tags old ON old.logged_model_id = lm.id AND old.name = t.key
         WHERE old.value IS DISTINCT FROM t.value)
        """;
}
