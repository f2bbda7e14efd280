using Npgsql;
using Registry.Api.Changes;
using Registry.Api.Features.Experiments;
using Registry.Api.Features.Runs;
using Registry.Api.Mlflow;

namespace Registry.Api.Features.LoggedModels;

/// <summary>
/// Logged models, their params (write-once) and tags, and the runs that output them. Create, finalize, delete and tag
/// writes record their audit event (target <c>LoggedModel</c>, its model id) in their own statement.
/// </summary>
internal sealed class LoggedModelStore(NpgsqlDataSource dataSource)
{
    public const string Pending = "LOGGED_MODEL_PENDING";

    private const string Live = "lm.project_id = $1 AND lm.model_id = $2 AND lm.deleted_at IS NULL";

    public enum CreateOutcome { Created, ExperimentNotFound, ExperimentDeleted }

    public async Task<(CreateOutcome Outcome, LoggedModel? Model)> CreateAsync(
        long projectId, long userId, int experimentIid, string name, string? modelType, string? sourceRunId,
        IReadOnlyList<KeyValue> parameters, IReadOnlyList<KeyValue> tags, CancellationToken cancellationToken)
    {
        var modelId = $"m-{Guid.NewGuid():N}";
        var now = Timestamps.Now();
        await using var batch = dataSource.CreateRecordedBatch();
        if (experimentIid == 0)
        {
            batch.BatchCommands.Add(ExperimentSql.EnsureDefault(projectId));
        }
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            $"""
            WITH e AS (
                SELECT id, deleted_at FROM ml_experiments WHERE project_id = $1 AND iid = $2 FOR KEY SHARE
            ), lm AS (
                INSERT INTO ml_logged_models (project_id, experiment_id, model_id, name, model_type, source_run_id, status, user_id, created_at, updated_at)
                SELECT $1, e.id, $3, $4, $5, $6, 'LOGGED_MODEL_PENDING', $7, $8, $8 FROM e WHERE e.deleted_at IS NULL
                RETURNING id
            ), params AS (
                INSERT INTO ml_logged_model_params (logged_model_id, name, value)
                SELECT lm.id, p.key, p.value FROM lm, unnest($9::text[], $10::text[]) AS p(key, value)
            ), tags AS (
                INSERT INTO ml_logged_model_tags (logged_model_id, name, value)
                SELECT lm.id, t.key, t.value FROM lm, unnest($11::text[], $12::text[]) AS t(key, value)
            ), audit AS (
                {AuditSql.Insert("lm", "logged_model_created", AuditEntity.Project, "$1", Target, "$3", "$4", AuditSql.Changes(
                    ("name", "NULL", "$4::text"), ("experiment_id", "NULL", "$2::text"), ("model_type", "NULL", "$5::text"),
                    ("source_run_id", "NULL", "$6::text"), ("tags", "NULL", WebhookEventSql.Tags("$11", "$12"))))}
            )
            SELECT (SELECT count(*) FROM e), (SELECT count(*) FROM lm)
            """)
        {
            Parameters =
            {
                new NpgsqlParameter<long> { TypedValue = projectId }, new NpgsqlParameter<int> { TypedValue = experimentIid },
                new NpgsqlParameter<string> { TypedValue = modelId }, new NpgsqlParameter<string> { TypedValue = name },
                Sql.NullableText(modelType), Sql.NullableText(sourceRunId), new NpgsqlParameter<long> { TypedValue = userId },
                new NpgsqlParameter<DateTime> { TypedValue = now },
                new NpgsqlParameter<string[]> { TypedValue = [.. parameters.Select(p => p.Key)] },
                new NpgsqlParameter<string[]> { TypedValue = [.. parameters.Select(p => p.Value)] },
                new NpgsqlParameter<string[]> { TypedValue = [.. tags.Select(t => t.Key)] },
                new NpgsqlParameter<string[]> { TypedValue = [.. tags.Select(t => t.Value)] },
            },
        });
        // The reader skips statements that return no rows, so it starts at the SELECT.
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        if (reader.GetInt64(0) == 0) return (CreateOutcome.ExperimentNotFound, null);
        if (reader.GetInt64(1) == 0) return (CreateOutcome.ExperimentDeleted, null);

        var millis = Timestamps.ToMillis(now);
        var experimentId = Sql.Text(experimentIid);
        var info = new LoggedModelInfo(modelId, experimentId, name, millis, millis, LoggedModelSql.ArtifactUri(experimentId, modelId), Pending,
            userId, modelType, sourceRunId, null, [.. tags.OrderBy(t => t.Key, StringComparer.Ordinal)], []);
        return (CreateOutcome.Created, new LoggedModel(info, new LoggedModelData([.. parameters.OrderBy(p => p.Key, StringComparer.Ordinal)], [])));
    }

    public Task<LoggedModel?> FindAsync(long projectId, string modelId, bool allowDeleted, CancellationToken cancellationToken) =>
        ReadAsync(
            $"SELECT {LoggedModelSql.Json} FROM {LoggedModelSql.From} WHERE lm.project_id = $1 AND lm.model_id = $2 AND ($3 OR lm.deleted_at IS NULL)",
            projectId, modelId, [new NpgsqlParameter<bool> { TypedValue = allowDeleted }], cancellationToken);

    public async Task<LoggedModel?> FinalizeAsync(long projectId, string modelId, string status, CancellationToken cancellationToken)
    {
        await using var batch = RecordedBatch(
            $"""
            WITH old AS (
                SELECT lm.id, lm.status FROM ml_logged_models lm WHERE {Live} FOR UPDATE
            ), lm AS (
                UPDATE ml_logged_models lm SET status = $3, updated_at = $4 FROM old WHERE lm.id = old.id RETURNING lm.*
            ), audit AS (
                {AuditSql.Insert("old JOIN lm ON lm.id = old.id", "logged_model_finalized", AuditEntity.Project, "$1", Target, "$2", "lm.name",
                    AuditSql.Changes(("status", "old.status", "lm.status")))}
            )
            SELECT {LoggedModelSql.Json} FROM lm JOIN ml_experiments e ON e.id = lm.experiment_id
            """,
            projectId, modelId, [new NpgsqlParameter<string> { TypedValue = status }, new NpgsqlParameter<DateTime> { TypedValue = Timestamps.Now() }]);
        return await batch.ExecuteScalarAsync(cancellationToken) is string json ? LoggedModelSql.Parse(json) : null;
    }

    /// <summary>Soft delete: hidden from get and search, visible with allow_deleted.</summary>
    public async Task<bool> DeleteAsync(long projectId, string modelId, CancellationToken cancellationToken)
    {
        await using var batch = RecordedBatch(
            $"""
            WITH lm AS (
                UPDATE ml_logged_models lm SET deleted_at = $3, updated_at = $3 WHERE {Live} RETURNING lm.name
            ), audit AS (
                {AuditSql.Insert("lm", "logged_model_deleted", AuditEntity.Project, "$1", Target, "$2", "lm.name",
                    AuditSql.Changes(("lifecycle_stage", "'active'::text", "'deleted'::text")))}
            )
            SELECT count(*) FROM lm
            """,
            projectId, modelId, [new NpgsqlParameter<DateTime> { TypedValue = Timestamps.Now() }]);
        return (long)(await batch.ExecuteScalarAsync(cancellationToken))! > 0;
    }

    /// <summary>Upserts the tags and answers with the model, in one round trip (the SELECT sees the upsert).</summary>
    public async Task<LoggedModel?> SetTagsAsync(long projectId, string modelId, IReadOnlyList<KeyValue> tags, CancellationToken cancellationToken)
    {
        await using var batch = RecordedBatch(
            $"""
            WITH lm AS (
                SELECT lm.id, lm.name FROM ml_logged_models lm WHERE {Live} FOR KEY SHARE
            ), audit AS (
                {AuditSql.Insert("lm", "logged_model_tags_set", AuditEntity.Project, "$1", Target, "$2", "lm.name", ChangedTags)}
            )
            INSERT INTO ml_logged_model_tags (logged_model_id, name, value)
            SELECT lm.id, t.key, t.value FROM lm, unnest($3::text[], $4::text[]) AS t(key, value)
            ON CONFLICT (logged_model_id, name) DO UPDATE SET value = EXCLUDED.value
            """,
            projectId, modelId,
            [new NpgsqlParameter<string[]> { TypedValue = [.. tags.Select(t => t.Key)] }, new NpgsqlParameter<string[]> { TypedValue = [.. tags.Select(t => t.Value)] }]);
        batch.BatchCommands.Add(BatchCommand($"SELECT {LoggedModelSql.Json} FROM {LoggedModelSql.From} WHERE {Live}", projectId, modelId, []));
        return await batch.ExecuteScalarAsync(cancellationToken) is string json ? LoggedModelSql.Parse(json) : null;
    }

    /// <returns>(model found, tag deleted).</returns>
    public async Task<(bool Model, bool Tag)> DeleteTagAsync(long projectId, string modelId, string key, CancellationToken cancellationToken)
    {
        await using var batch = RecordedBatch(
            $"""
            WITH lm AS (
                SELECT lm.id, lm.name FROM ml_logged_models lm WHERE {Live}
            ), deleted AS (
                DELETE FROM ml_logged_model_tags t USING lm WHERE t.logged_model_id = lm.id AND t.name = $3 RETURNING t.value
            ), audit AS (
                {AuditSql.Insert("lm, deleted", "logged_model_tag_deleted", AuditEntity.Project, "$1", Target, "$2", "lm.name",
                    AuditSql.KeyedChange("tags", "$3", "deleted.value", "NULL::text"))}
            )
            SELECT (SELECT count(*) FROM lm), (SELECT count(*) FROM deleted)
            """,
            projectId, modelId, [new NpgsqlParameter<string> { TypedValue = key }]);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0) > 0, reader.GetInt64(1) > 0);
    }

    /// <summary>Params are write-once, as a run's: the same value again is fine, another value fails the whole request.</summary>
    public async Task<bool> LogParamsAsync(long projectId, string modelId, IReadOnlyList<KeyValue> parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(
            $"""
            WITH lm AS (
                SELECT lm.id FROM ml_logged_models lm WHERE {Live} FOR KEY SHARE
            ), params AS (
                INSERT INTO ml_logged_model_params (logged_model_id, name, value)
                SELECT lm.id, p.key, p.value FROM lm, unnest($3::text[], $4::text[]) AS p(key, value)
                ON CONFLICT (logged_model_id, name) DO UPDATE SET value = ml_logged_model_params.value
                WHERE ml_logged_model_params.value <> EXCLUDED.value
                RETURNING name, xmax <> 0 AS conflicted
            )
            SELECT (SELECT count(*) FROM lm),
                   (SELECT registry_fail('Changing param values is not allowed. Already logged with a different value: ' || string_agg(name, ', ' ORDER BY name))
                    FROM params WHERE conflicted HAVING count(*) > 0)
            """,
            projectId, modelId,
            [new NpgsqlParameter<string[]> { TypedValue = [.. parameters.Select(p => p.Key)] }, new NpgsqlParameter<string[]> { TypedValue = [.. parameters.Select(p => p.Value)] }]);
        try
        {
            return (long)(await command.ExecuteScalarAsync(cancellationToken))! > 0;
        }
        catch (PostgresException e) when (e.SqlState == RunWrite.RejectedState)
        {
            throw new MlflowException(MlflowError.InvalidParameterValue(e.MessageText));
        }
    }

    /// <summary>Links a run to the logged models it produced; every model must exist in the project, or nothing is linked.</summary>
    public async Task<Outcome<Done>> LogOutputsAsync(long projectId, string runId, IReadOnlyList<(string ModelId, long Step)> outputs, CancellationToken cancellationToken)
    {
        var write = new RunWrite(projectId, runId);
        var (models, steps) = (write.Sql.Add<string[]>([.. outputs.Select(o => o.ModelId)]), write.Sql.Add<long[]>([.. outputs.Select(o => o.Step)]));
        var missing = await write.ExecuteAsync(dataSource,
            $"""
            missing AS (
                SELECT o.model_id FROM unnest({models}::text[]) AS o(model_id)
                WHERE NOT EXISTS (SELECT 1 FROM ml_logged_models lm WHERE lm.project_id = {write.Project} AND lm.model_id = o.model_id AND lm.deleted_at IS NULL)
            ), outputs AS (
                INSERT INTO ml_candidate_outputs (candidate_id, logged_model_id, step)
                SELECT live.id, lm.id, o.step FROM live, unnest({models}::text[], {steps}::int8[]) AS o(model_id, step)
                JOIN ml_logged_models lm ON lm.project_id = {write.Project} AND lm.model_id = o.model_id
                WHERE NOT EXISTS (SELECT 1 FROM missing)
                ON CONFLICT (candidate_id, logged_model_id) DO UPDATE SET step = EXCLUDED.step
            )
            """,
            "(SELECT string_agg(model_id, ', ') FROM missing)",
            cancellationToken);
        return missing.Error is { } error ? error
            : missing.Value is null ? new Done()
            : MlflowError.ResourceDoesNotExist($"Logged model(s) not found: {missing.Value}.");
    }

    private async Task<LoggedModel?> ReadAsync(string sql, long projectId, string modelId, NpgsqlParameter[] more, CancellationToken cancellationToken)
    {
        await using var command = Command(sql, projectId, modelId, more);
        return await command.ExecuteScalarAsync(cancellationToken) is string json ? LoggedModelSql.Parse(json) : null;
    }

    private NpgsqlCommand Command(string sql, long projectId, string modelId, NpgsqlParameter[] more)
    {
        var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = projectId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = modelId });
        command.Parameters.AddRange(more);
        return command;
    }

    /// <summary>A batch that names its actor, then runs <paramref name="sql"/> (which records its audit event).</summary>
    private NpgsqlBatch RecordedBatch(string sql, long projectId, string modelId, NpgsqlParameter[] more)
    {
        var batch = dataSource.CreateRecordedBatch();
        batch.BatchCommands.Add(BatchCommand(sql, projectId, modelId, more));
        return batch;
    }

    private const string Target = "LoggedModel";

    /// <summary>The tags of $3/$4 whose values differ from what model <c>lm</c> has (the statement's snapshot), as audit changes.</summary>
    private const string ChangedTags =
        """
        (SELECT jsonb_object_agg('tags.' || t.key, jsonb_build_object('from', old.value, 'to', t.value))
         FROM unnest($3::text[], $4::text[]) AS t(key, value)
         LEFT JOIN ml_logged_model_tags old ON old.logged_model_id = lm.id AND old.name = t.key
         WHERE old.value IS DISTINCT FROM t.value)
        """;

    private static NpgsqlBatchCommand BatchCommand(string sql, long projectId, string modelId, NpgsqlParameter[] more)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = projectId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = modelId });
        command.Parameters.AddRange(more);
        return command;
    }
}
