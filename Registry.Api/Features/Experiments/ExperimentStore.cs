using Npgsql;
using Registry.Api.Changes;
using Registry.Api.Mlflow;

namespace Registry.Api.Features.Experiments;

public enum ExperimentWrite { Done, NotFound, NameTaken }

/// <summary>
/// Experiments and their tags. One statement per operation, which also records its audit event (target <c>Experiment</c>,
/// its MLflow id); uniqueness of names lives in the database.
/// </summary>
internal sealed class ExperimentStore(NpgsqlDataSource dataSource)
{
    private const string NameConstraint = "ix_ml_experiments_project_id_name";

    /// <returns>The new experiment's id, or null when the name is taken.</returns>
    public async Task<int?> CreateAsync(long projectId, long userId, string name, string? artifactLocation, IReadOnlyList<KeyValue> tags, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateRecordedBatch().Add(
            $"""
            WITH next_iid AS (
                UPDATE projects SET last_experiment_iid = last_experiment_iid + 1 WHERE id = $1 RETURNING last_experiment_iid
            ), e AS (
                INSERT INTO ml_experiments (project_id, iid, name, user_id, artifact_location, created_at, updated_at)
                SELECT $1, last_experiment_iid, $2, $3, $4, $5, $5 FROM next_iid
                RETURNING id, iid
            ), tags AS (
                INSERT INTO ml_experiment_metadata (experiment_id, name, value, created_at, updated_at)
                SELECT e.id, tag.key, tag.value, $5, $5 FROM e, unnest($6::text[], $7::text[]) AS tag(key, value)
            ), audit AS (
                {AuditSql.Insert("e", "experiment_created", AuditEntity.Project, "$1", Target, "e.iid", "$2", AuditSql.Changes(
                    ("name", "NULL", "$2::text"), ("artifact_location", "NULL", "$4::text"), ("tags", "NULL", WebhookEventSql.Tags("$6", "$7"))))}
            )
            SELECT iid FROM e
            """,
            new NpgsqlParameter<long> { TypedValue = projectId },
            new NpgsqlParameter<string> { TypedValue = name },
            new NpgsqlParameter<long> { TypedValue = userId },
            Sql.NullableText(artifactLocation),
            new NpgsqlParameter<DateTime> { TypedValue = Timestamps.Now() },
            new NpgsqlParameter<string[]> { TypedValue = [.. tags.Select(t => t.Key)] },
            new NpgsqlParameter<string[]> { TypedValue = [.. tags.Select(t => t.Value)] });
        try
        {
            return (int?)await batch.ExecuteScalarAsync(cancellationToken);
        }
        catch (PostgresException e) when (e is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: NameConstraint })
        {
            return null;
        }
    }

    public async Task<Experiment?> FindAsync(long projectId, int iid, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        if (iid == ExperimentSql.DefaultId)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(ExperimentSql.EnsureDefault) { Parameters = { new NpgsqlParameter<long> { TypedValue = projectId } } });
        }
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT {ExperimentSql.Json} FROM ml_experiments e WHERE e.project_id = $1 AND e.iid = $2")
        {
            Parameters = { new NpgsqlParameter<long> { TypedValue = projectId }, new NpgsqlParameter<int> { TypedValue = iid } },
        });
        return await batch.ExecuteScalarAsync(cancellationToken) is string json ? ExperimentSql.Parse(json) : null;
    }

    public async Task<Experiment?> FindByNameAsync(long projectId, string name, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {ExperimentSql.Json} FROM ml_experiments e WHERE e.project_id = $1 AND e.name = $2");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = projectId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        return await command.ExecuteScalarAsync(cancellationToken) is string json ? ExperimentSql.Parse(json) : null;
    }

    public async Task<ExperimentWrite> RenameAsync(long projectId, int iid, string newName, CancellationToken cancellationToken)
    {
        try
        {
            return await AffectsAsync(
                $"""
                WITH old AS (
                    SELECT id, name FROM ml_experiments WHERE project_id = $1 AND iid = $2 FOR UPDATE
                ), e AS (
                    UPDATE ml_experiments e SET name = $3, updated_at = $4 FROM old WHERE e.id = old.id RETURNING e.id, e.iid, e.name
                ), audit AS (
                    {AuditSql.Insert("old JOIN e ON e.id = old.id", "experiment_renamed", AuditEntity.Project, "$1", Target, "e.iid", "e.name",
                        AuditSql.Changes(("name", "old.name", "e.name")))}
                )
                SELECT count(*) FROM e
                """,
                projectId, iid, [new NpgsqlParameter<string> { TypedValue = newName }, Now()], cancellationToken);
        }
        catch (PostgresException e) when (e is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: NameConstraint })
        {
            return ExperimentWrite.NameTaken;
        }
    }

    /// <summary>Soft delete (lifecycle_stage "deleted"), as MLflow does; its runs are marked deleted with it.</summary>
    public Task<ExperimentWrite> SetDeletedAsync(long projectId, int iid, bool deleted, CancellationToken cancellationToken) =>
        AffectsAsync(
            $"""
            WITH old AS (
                SELECT id, {ExperimentSql.LifecycleStage("deleted_at")} AS stage FROM ml_experiments WHERE project_id = $1 AND iid = $2 FOR UPDATE
            ), e AS (
                UPDATE ml_experiments e SET deleted_at = CASE WHEN $3 THEN $4 END, updated_at = $4
                FROM old WHERE e.id = old.id RETURNING e.id, e.iid, e.name, {ExperimentSql.LifecycleStage("e.deleted_at")} AS stage
            ), runs AS (
                UPDATE ml_candidates r SET deleted_at = CASE WHEN $3 THEN $4 END, updated_at = $4
                FROM e WHERE r.experiment_id = e.id AND (r.deleted_at IS NULL) = $3
            ), audit AS (
                {AuditSql.Insert("old JOIN e ON e.id = old.id", deleted ? "experiment_deleted" : "experiment_restored", AuditEntity.Project, "$1", Target,
                    "e.iid", "e.name", AuditSql.Changes(("lifecycle_stage", "old.stage", "e.stage")))}
            )
            SELECT count(*) FROM e
            """,
            projectId, iid, [new NpgsqlParameter<bool> { TypedValue = deleted }, Now()], cancellationToken);

    public Task<ExperimentWrite> SetTagAsync(long projectId, int iid, string key, string value, CancellationToken cancellationToken) =>
        AffectsAsync(
            $"""
            WITH e AS (
                SELECT id, iid, name, (SELECT value FROM ml_experiment_metadata WHERE experiment_id = ml_experiments.id AND name = $3) AS old_value
                FROM ml_experiments WHERE project_id = $1 AND iid = $2 FOR KEY SHARE
            ), tag AS (
                INSERT INTO ml_experiment_metadata (experiment_id, name, value, created_at, updated_at)
                SELECT id, $3, $4, $5, $5 FROM e
                ON CONFLICT (experiment_id, name) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at
            ), audit AS (
                {AuditSql.Insert("e", "experiment_tag_set", AuditEntity.Project, "$1", Target, "e.iid", "e.name",
                    AuditSql.KeyedChange("tags", "$3", "e.old_value", "$4::text"))}
            )
            SELECT count(*) FROM e
            """,
            projectId, iid, [new NpgsqlParameter<string> { TypedValue = key }, new NpgsqlParameter<string> { TypedValue = value }, Now()],
            cancellationToken);

    public Task<ExperimentWrite> DeleteTagAsync(long projectId, int iid, string key, CancellationToken cancellationToken) =>
        AffectsAsync(
            $"""
            WITH e AS (
                SELECT id, iid, name FROM ml_experiments WHERE project_id = $1 AND iid = $2
            ), tag AS (
                DELETE FROM ml_experiment_metadata t USING e WHERE t.experiment_id = e.id AND t.name = $3 RETURNING t.value
            ), audit AS (
                {AuditSql.Insert("e", "experiment_tag_deleted", AuditEntity.Project, "$1", Target, "e.iid", "e.name",
                    AuditSql.KeyedChange("tags", "$3", "(SELECT value FROM tag)", "NULL::text"))}
            )
            SELECT count(*) FROM e
            """,
            projectId, iid, [new NpgsqlParameter<string> { TypedValue = key }], cancellationToken);

    private const string Target = "Experiment";


    /// <summary>Runs a write that answers with how many experiments it found, in a recorded batch.</summary>
    private async Task<ExperimentWrite> AffectsAsync(string sql, long projectId, int iid, NpgsqlParameter[] more, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateRecordedBatch().Add(sql,
            [new NpgsqlParameter<long> { TypedValue = projectId }, new NpgsqlParameter<int> { TypedValue = iid }, .. more]);
        return (long)(await batch.ExecuteScalarAsync(cancellationToken))! > 0 ? ExperimentWrite.Done : ExperimentWrite.NotFound;
    }

    private static NpgsqlParameter<DateTime> Now() => new() { TypedValue = Timestamps.Now() };
}
