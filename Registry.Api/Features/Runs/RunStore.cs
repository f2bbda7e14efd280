using Npgsql;
using Registry.Api.Changes;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Artifacts;
using Registry.Api.Mlflow.Search;
using Registry.Api.Mlflow.Sql;
using Registry.Api.Mlflow.Tracking;

namespace Registry.Api.Features.Runs;

/// <summary>
/// Runs themselves: create, read, update, delete and restore, their tags one at a time (set-tag, delete-tag), and the logged
/// models they output (runs/outputs). Each audited write records its audit event (target <c>Run</c>, its run id) in its own statement.
/// </summary>
internal sealed class RunStore(NpgsqlDataSource dataSource)
{
    private static readonly SqlColumns CreatedSelect = new();
    private static readonly int CreatedExperimentsFound = CreatedSelect.Add("(SELECT count(*) FROM e)");
    private static readonly int CreatedRuns = CreatedSelect.Add("(SELECT count(*) FROM r)");

    public async Task<Outcome<Run>> CreateAsync(
        long projectId, long userId, string userName, ExperimentId experimentId, string name, long startTime, IReadOnlyList<KeyValue> tags,
        CancellationToken cancellationToken)
    {
        var runId = Guid.NewGuid().ToString("N");
        await using var batch = dataSource.CreateRecordedBatch();
        if (experimentId.Iid == ExperimentSql.DefaultId)
        {
            batch.BatchCommands.Add(ExperimentSql.EnsureDefault(projectId));
        }
        var sql = new SqlParameters();
        var (project, experiment, run, runName) = (sql.Add(projectId), sql.Add(experimentId.Iid), sql.Add(runId), sql.Add(name));
        var (user, start, at) = (sql.Add(userId), sql.Add(startTime), sql.Add(Timestamps.Now()));
        var (keys, values) = (sql.Add<string[]>([.. tags.Select(t => t.Key)]), sql.Add<string[]>([.. tags.Select(t => t.Value)]));
        batch.Add(
            $"""
            WITH e AS (
                SELECT id, deleted_at FROM ml_experiments WHERE project_id = {project} AND iid = {experiment} FOR KEY SHARE
            ), r AS (
                INSERT INTO ml_candidates (project_id, experiment_id, run_id, name, user_id, user_name, status, start_time, created_at, updated_at)
                SELECT {project}, e.id, {run}, {runName}, {user}, {sql.Add(userName)}, 'RUNNING', {start}, {at}, {at} FROM e WHERE e.deleted_at IS NULL
                RETURNING id
            ), tags AS (
                INSERT INTO ml_candidate_metadata (candidate_id, name, value)
                SELECT r.id, tag.key, tag.value FROM r, unnest({keys}::text[], {values}::text[]) AS tag(key, value)
            ), audit AS (
                {AuditSql.Insert("r", "run_created", AuditEntity.Project, project, Target, run, runName, AuditSql.Changes(
                    ("name", "NULL", $"{runName}::text"), ("experiment_id", "NULL", $"{experiment}::text"), ("tags", "NULL", WebhookEventSql.Tags(keys, values))))}
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
        if (reader.GetInt64(CreatedRuns) == 0)
        {
            return MlflowError.InvalidParameterValue($"The experiment {experimentId.Sent} must be in the 'active' state. Current state is deleted.");
        }

        var wireExperimentId = WireIds.Text(experimentId.Iid);
        var info = new RunInfo(runId, runId, name, wireExperimentId, userName, "RUNNING", startTime, null, ArtifactUris.Run(wireExperimentId, runId), "active");
        return new Run(info, new RunData([], [], [.. tags.OrderBy(t => t.Key, StringComparer.Ordinal)]), new RunInputs([], []), new RunOutputs([]));
    }

    public async Task<Outcome<Run>> FindAsync(long projectId, string runId, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        await using var command = sql.Command(dataSource,
            $"SELECT {RunSql.Json} FROM ml_candidates r JOIN ml_experiments e ON e.id = r.experiment_id WHERE r.project_id = {sql.Add(projectId)} AND r.run_id = {sql.Add(runId)}");
        return await command.ExecuteScalarAsync(cancellationToken) is string json ? RunSql.Parse(json) : RunSql.NotFound(runId);
    }

    /// <summary>Status, end time and name; a new name also moves the mlflow.runName tag, as MLflow keeps them in step.</summary>
    public async Task<Outcome<RunInfo>> UpdateAsync(long projectId, string runId, string? status, long? endTime, string? name, CancellationToken cancellationToken)
    {
        var write = new RunWrite(projectId, runId);
        var sql = write.Sql;
        var runName = sql.Add(name);
        var json = await write.ExecuteAsync(dataSource,
            $"""
            old AS (
                SELECT r.id, r.status, r.end_time, r.name FROM ml_candidates r JOIN live ON r.id = live.id FOR UPDATE OF r
            ), updated AS (
                UPDATE ml_candidates r
                SET status = COALESCE({sql.Add(status)}, r.status), end_time = COALESCE({sql.Add(endTime)}, r.end_time), name = COALESCE({runName}, r.name),
                    updated_at = {sql.Add(Timestamps.Now())}
                FROM old WHERE r.id = old.id
                RETURNING r.*
            ), renamed AS (
                INSERT INTO ml_candidate_metadata (candidate_id, name, value)
                SELECT id, '{ReservedKeys.RunName}', {runName} FROM live WHERE {runName} IS NOT NULL
                ON CONFLICT (candidate_id, name) DO UPDATE SET value = EXCLUDED.value
            ), audit AS (
                {AuditSql.Insert("old JOIN updated u ON u.id = old.id", "run_updated", AuditEntity.Project, write.Project, Target, write.Run, "u.name", AuditSql.Changes(
                    ("status", "old.status", "u.status"), ("end_time", "old.end_time", "u.end_time"), ("name", "old.name", "u.name")))}
            )
            """,
            $"(SELECT {RunSql.InfoJson}::text FROM updated r JOIN ml_experiments e ON e.id = r.experiment_id)",
            cancellationToken, audited: true);
        return json.Error is { } error ? error : RunSql.ParseInfo(json.Value!);
    }

    /// <summary>Soft delete or restore (lifecycle_stage); a deleted run refuses writes until restored.</summary>
    public async Task<Outcome<Done>> SetDeletedAsync(long projectId, string runId, bool deleted, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var (project, run, delete, at) = (sql.Add(projectId), sql.Add(runId), sql.Add(deleted), sql.Add(Timestamps.Now()));
        await using var batch = dataSource.CreateRecordedBatch().Add(
            $"""
            WITH old AS (
                SELECT id, {ExperimentSql.LifecycleStage("deleted_at")} AS stage FROM ml_candidates WHERE project_id = {project} AND run_id = {run} FOR UPDATE
            ), r AS (
                UPDATE ml_candidates r SET deleted_at = CASE WHEN {delete} THEN {at} END, updated_at = {at}
                FROM old WHERE r.id = old.id RETURNING r.id, r.name, {ExperimentSql.LifecycleStage("r.deleted_at")} AS stage
            ), audit AS (
                {AuditSql.Insert("old JOIN r ON r.id = old.id", deleted ? "run_deleted" : "run_restored", AuditEntity.Project, project, Target, run, "r.name",
                    AuditSql.Changes(("lifecycle_stage", "old.stage", "r.stage")))}
            )
            SELECT count(*) FROM r
            """,
            sql);
        return (long)(await batch.ExecuteScalarAsync(cancellationToken))! > 0 ? new Done() : RunSql.NotFound(runId);
    }

    /// <summary>One tag; <c>mlflow.runName</c> also renames the run, as MLflow keeps them in step.</summary>
    public Task<Outcome<Done>> SetTagAsync(long projectId, string runId, KeyValue tag, CancellationToken cancellationToken)
    {
        var write = new RunWrite(projectId, runId);
        var (key, value) = (write.Sql.Add(tag.Key), write.Sql.Add(tag.Value));
        return write.WriteAsync(dataSource,
            $"""
            run AS (
                SELECT c.id, c.name, (SELECT value FROM ml_candidate_metadata WHERE candidate_id = c.id AND name = {key}) AS old_value
                FROM ml_candidates c JOIN live ON c.id = live.id
            ), tag AS (
                INSERT INTO ml_candidate_metadata (candidate_id, name, value)
                SELECT id, {key}, {value} FROM live
                ON CONFLICT (candidate_id, name) DO UPDATE SET value = EXCLUDED.value
            ), renamed AS (
                UPDATE ml_candidates r SET name = {value} FROM live WHERE r.id = live.id AND {key} = '{ReservedKeys.RunName}'
            ), audit AS (
                {AuditSql.Insert("run", "run_tag_set", AuditEntity.Project, write.Project, Target, write.Run, "run.name",
                    AuditSql.KeyedChange("tags", key, "run.old_value", $"{value}::text"))}
            )
            """,
            null, cancellationToken, audited: true);
    }

    /// <summary>A tag the run does not have is RESOURCE_DOES_NOT_EXIST, as in MLflow.</summary>
    public async Task<Outcome<Done>> DeleteTagAsync(long projectId, string runId, string key, CancellationToken cancellationToken)
    {
        var write = new RunWrite(projectId, runId);
        var tagKey = write.Sql.Add(key);
        var deleted = await write.ExecuteAsync(dataSource,
            $"""
            deleted AS (
                DELETE FROM ml_candidate_metadata t USING live WHERE t.candidate_id = live.id AND t.name = {tagKey} RETURNING t.candidate_id, t.value
            ), audit AS (
                {AuditSql.Insert("deleted JOIN ml_candidates c ON c.id = deleted.candidate_id", "run_tag_deleted", AuditEntity.Project, write.Project, Target, write.Run,
                    "c.name", AuditSql.KeyedChange("tags", tagKey, "deleted.value", "NULL::text"))}
            )
            """,
            "(SELECT count(*)::text FROM deleted)",
            cancellationToken, audited: true);
        return deleted.Error is { } error ? error
            : deleted.Value != "0" ? new Done()
            : MlflowError.ResourceDoesNotExist($"No tag with name: {key} in run with id {runId}");
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

    private const string Target = "Run";
}
