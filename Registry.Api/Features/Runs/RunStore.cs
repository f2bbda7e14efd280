using Npgsql;
using Registry.Api.Changes;
using Registry.Api.Features.Experiments;
using Registry.Api.Mlflow;

namespace Registry.Api.Features.Runs;

/// <summary>
/// Runs themselves: create, read, update, delete and restore, and their tags one at a time (set-tag, delete-tag). Each
/// write records its audit event (target <c>Run</c>, its run id) in its own statement.
/// </summary>
internal sealed class RunStore(NpgsqlDataSource dataSource)
{
    public enum CreateOutcome { Created, ExperimentNotFound, ExperimentDeleted }

    public async Task<(CreateOutcome Outcome, Run? Run)> CreateAsync(
        long projectId, long userId, string userName, int experimentIid, string name, long startTime, IReadOnlyList<KeyValue> tags,
        CancellationToken cancellationToken)
    {
        var runId = Guid.NewGuid().ToString("N");
        await using var batch = dataSource.CreateRecordedBatch();
        if (experimentIid == 0)
        {
            batch.BatchCommands.Add(ExperimentSql.EnsureDefault(projectId));
        }
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            $"""
            WITH e AS (
                SELECT id, deleted_at FROM ml_experiments WHERE project_id = $1 AND iid = $2 FOR KEY SHARE
            ), r AS (
                INSERT INTO ml_candidates (project_id, experiment_id, run_id, name, user_id, user_name, status, start_time, created_at, updated_at)
                SELECT $1, e.id, $3, $4, $5, $10, 'RUNNING', $6, $7, $7 FROM e WHERE e.deleted_at IS NULL
                RETURNING id
            ), tags AS (
                INSERT INTO ml_candidate_metadata (candidate_id, name, value)
                SELECT r.id, tag.key, tag.value FROM r, unnest($8::text[], $9::text[]) AS tag(key, value)
            ), audit AS (
                {AuditSql.Insert("r", "run_created", AuditEntity.Project, "$1", Target, "$3", "$4", AuditSql.Changes(
                    ("name", "NULL", "$4::text"), ("experiment_id", "NULL", "$2::text"), ("tags", "NULL", WebhookEventSql.Tags("$8", "$9"))))}
            )
            SELECT (SELECT count(*) FROM e), (SELECT count(*) FROM r)
            """)
        {
            Parameters =
            {
                new NpgsqlParameter<long> { TypedValue = projectId }, new NpgsqlParameter<int> { TypedValue = experimentIid },
                new NpgsqlParameter<string> { TypedValue = runId }, new NpgsqlParameter<string> { TypedValue = name },
                new NpgsqlParameter<long> { TypedValue = userId }, new NpgsqlParameter<long> { TypedValue = startTime },
                new NpgsqlParameter<DateTime> { TypedValue = Timestamps.Now() },
                new NpgsqlParameter<string[]> { TypedValue = [.. tags.Select(t => t.Key)] },
                new NpgsqlParameter<string[]> { TypedValue = [.. tags.Select(t => t.Value)] },
                new NpgsqlParameter<string> { TypedValue = userName },
            },
        });
        // The reader skips statements that return no rows, so it starts at the SELECT.
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        if (reader.GetInt64(0) == 0) return (CreateOutcome.ExperimentNotFound, null);
        if (reader.GetInt64(1) == 0) return (CreateOutcome.ExperimentDeleted, null);

        var experimentId = Sql.Text(experimentIid);
        var info = new RunInfo(runId, runId, name, experimentId, userName, "RUNNING", startTime, null,
            $"mlflow-artifacts:/{experimentId}/{runId}/artifacts", "active");
        return (CreateOutcome.Created, new Run(info, new RunData([], [], [.. tags.OrderBy(t => t.Key, StringComparer.Ordinal)]), new RunInputs([], []), new RunOutputs([])));
    }

    public async Task<Run?> FindAsync(long projectId, string runId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {RunSql.Json} FROM ml_candidates r JOIN ml_experiments e ON e.id = r.experiment_id WHERE r.project_id = $1 AND r.run_id = $2");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = projectId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = runId });
        return await command.ExecuteScalarAsync(cancellationToken) is string json ? RunSql.Parse(json) : null;
    }

    /// <summary>Status, end time and name; a new name also moves the mlflow.runName tag, as MLflow keeps them in step.</summary>
    public async Task<RunInfo> UpdateAsync(long projectId, string runId, string? status, long? endTime, string? name, CancellationToken cancellationToken)
    {
        var json = await RunWrite.ExecuteAsync(dataSource, projectId, runId,
            $"""
            old AS (
                SELECT r.id, r.status, r.end_time, r.name FROM ml_candidates r JOIN live ON r.id = live.id FOR UPDATE OF r
            ), updated AS (
                UPDATE ml_candidates r SET status = COALESCE($3, r.status), end_time = COALESCE($4, r.end_time), name = COALESCE($5, r.name), updated_at = $6
                FROM old WHERE r.id = old.id
                RETURNING r.*
            ), renamed AS (
                INSERT INTO ml_candidate_metadata (candidate_id, name, value)
                SELECT id, 'mlflow.runName', $5 FROM live WHERE $5 IS NOT NULL
                ON CONFLICT (candidate_id, name) DO UPDATE SET value = EXCLUDED.value
            ), audit AS (
                {AuditSql.Insert("old JOIN updated u ON u.id = old.id", "run_updated", AuditEntity.Project, "$1", Target, "$2", "u.name", AuditSql.Changes(
                    ("status", "old.status", "u.status"), ("end_time", "old.end_time", "u.end_time"), ("name", "old.name", "u.name")))}
            )
            """,
            $"(SELECT {RunSql.InfoJson}::text FROM updated r JOIN ml_experiments e ON e.id = r.experiment_id)",
            [Sql.NullableText(status), new NpgsqlParameter { Value = (object?)endTime ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint },
             Sql.NullableText(name), new NpgsqlParameter<DateTime> { TypedValue = Timestamps.Now() }],
            cancellationToken, audited: true);
        return RunSql.ParseInfo(json!);
    }

    /// <summary>Soft delete or restore (lifecycle_stage); a deleted run refuses writes until restored.</summary>
    public async Task<bool> SetDeletedAsync(long projectId, string runId, bool deleted, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateRecordedBatch().Add(
            $"""
            WITH old AS (
                SELECT id, {ExperimentSql.LifecycleStage("deleted_at")} AS stage FROM ml_candidates WHERE project_id = $1 AND run_id = $2 FOR UPDATE
            ), r AS (
                UPDATE ml_candidates r SET deleted_at = CASE WHEN $3 THEN $4 END, updated_at = $4
                FROM old WHERE r.id = old.id RETURNING r.id, r.name, {ExperimentSql.LifecycleStage("r.deleted_at")} AS stage
            ), audit AS (
                {AuditSql.Insert("old JOIN r ON r.id = old.id", deleted ? "run_deleted" : "run_restored", AuditEntity.Project, "$1", Target, "$2", "r.name",
                    AuditSql.Changes(("lifecycle_stage", "old.stage", "r.stage")))}
            )
            SELECT count(*) FROM r
            """,
            new NpgsqlParameter<long> { TypedValue = projectId },
            new NpgsqlParameter<string> { TypedValue = runId },
            new NpgsqlParameter<bool> { TypedValue = deleted },
            new NpgsqlParameter<DateTime> { TypedValue = Timestamps.Now() });
        return (long)(await batch.ExecuteScalarAsync(cancellationToken))! > 0;
    }

    /// <summary>One tag; <c>mlflow.runName</c> also renames the run, as MLflow keeps them in step.</summary>
    public Task SetTagAsync(long projectId, string runId, KeyValue tag, CancellationToken cancellationToken) =>
        RunWrite.ExecuteAsync(dataSource, projectId, runId,
            $"""
            run AS (
                SELECT c.id, c.name, (SELECT value FROM ml_candidate_metadata WHERE candidate_id = c.id AND name = $3) AS old_value
                FROM ml_candidates c JOIN live ON c.id = live.id
            ), tag AS (
                INSERT INTO ml_candidate_metadata (candidate_id, name, value)
                SELECT id, $3, $4 FROM live
                ON CONFLICT (candidate_id, name) DO UPDATE SET value = EXCLUDED.value
            ), renamed AS (
                UPDATE ml_candidates r SET name = $4 FROM live WHERE r.id = live.id AND $3 = 'mlflow.runName'
            ), audit AS (
                {AuditSql.Insert("run", "run_tag_set", AuditEntity.Project, "$1", Target, "$2", "run.name",
                    AuditSql.KeyedChange("tags", "$3", "run.old_value", "$4::text"))}
            )
            """,
            null, [new NpgsqlParameter<string> { TypedValue = tag.Key }, new NpgsqlParameter<string> { TypedValue = tag.Value }],
            cancellationToken, audited: true);

    /// <returns>false when the run has no such tag (MLflow answers RESOURCE_DOES_NOT_EXIST).</returns>
    public async Task<bool> DeleteTagAsync(long projectId, string runId, string key, CancellationToken cancellationToken)
    {
        var deleted = await RunWrite.ExecuteAsync(dataSource, projectId, runId,
            $"""
            deleted AS (
                DELETE FROM ml_candidate_metadata t USING live WHERE t.candidate_id = live.id AND t.name = $3 RETURNING t.candidate_id, t.value
            ), audit AS (
                {AuditSql.Insert("deleted JOIN ml_candidates c ON c.id = deleted.candidate_id", "run_tag_deleted", AuditEntity.Project, "$1", Target, "$2",
                    "c.name", AuditSql.KeyedChange("tags", "$3", "deleted.value", "NULL::text"))}
            )
            """,
            "(SELECT count(*)::text FROM deleted)",
            [new NpgsqlParameter<string> { TypedValue = key }], cancellationToken, audited: true);
        return deleted != "0";
    }

    private const string Target = "Run";

}
