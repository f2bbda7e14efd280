using Npgsql;
using Registry.Api.Changes;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Sql;
using Registry.Api.Mlflow.Tracking;
using Registry.Data;

namespace Registry.Api.Features.Experiments;

/// <summary>
/// Experiments and their tags. One statement per operation, which also records its audit event (target <c>Experiment</c>,
/// its MLflow id); uniqueness of names lives in the database.
/// </summary>
internal sealed class ExperimentStore(NpgsqlDataSource dataSource)
{
    /// <returns>The new experiment's number (its MLflow id).</returns>
    public async Task<Outcome<int>> CreateAsync(long projectId, long userId, string name, string? artifactLocation, IReadOnlyList<KeyValue> tags, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var (project, experiment, location, at) = (sql.Add(projectId), sql.Add(name), sql.Add(artifactLocation), sql.Add(Timestamps.Now()));
        var (keys, values) = (sql.Add<string[]>([.. tags.Select(t => t.Key)]), sql.Add<string[]>([.. tags.Select(t => t.Value)]));
        await using var batch = dataSource.CreateRecordedBatch().Add(
            $"""
            WITH next_iid AS (
                UPDATE projects SET last_experiment_iid = last_experiment_iid + 1 WHERE id = {project} RETURNING last_experiment_iid
            ), e AS (
                INSERT INTO ml_experiments (project_id, iid, name, user_id, artifact_location, created_at, updated_at)
                SELECT {project}, last_experiment_iid, {experiment}, {sql.Add(userId)}, {location}, {at}, {at} FROM next_iid
                RETURNING id, iid
            ), tags AS (
                INSERT INTO ml_experiment_metadata (experiment_id, name, value, created_at, updated_at)
                SELECT e.id, tag.key, tag.value, {at}, {at} FROM e, unnest({keys}::text[], {values}::text[]) AS tag(key, value)
            ), audit AS (
                {AuditSql.Insert("e", "experiment_created", AuditEntity.Project, project, Target, "e.iid", experiment, AuditSql.Changes(
                    ("name", "NULL", $"{experiment}::text"), ("artifact_location", "NULL", $"{location}::text"), ("tags", "NULL", WebhookEventSql.Tags(keys, values))))}
            )
            SELECT iid FROM e
            """,
            sql);
        try
        {
            return await batch.ExecuteScalarAsync(cancellationToken) is int iid ? iid : AlreadyExists(name);
        }
        catch (PostgresException e) when (e is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: Constraints.ExperimentName })
        {
            return AlreadyExists(name);
        }
    }

    public async Task<Outcome<Experiment>> FindAsync(long projectId, ExperimentId experimentId, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        if (experimentId.Iid == ExperimentSql.DefaultId)
        {
            batch.BatchCommands.Add(ExperimentSql.EnsureDefault(projectId));
        }
        var sql = new SqlParameters();
        batch.Add($"SELECT {ExperimentJson.Sql} FROM ml_experiments e WHERE e.project_id = {sql.Add(projectId)} AND e.iid = {sql.Add(experimentId.Iid)}", sql);
        return await batch.ExecuteScalarAsync(cancellationToken) is string json ? ExperimentJson.Parse(json) : experimentId.NotFound();
    }

    /// <summary>set_experiment relies on RESOURCE_DOES_NOT_EXIST here to decide to create.</summary>
    public async Task<Outcome<Experiment>> FindByNameAsync(long projectId, string name, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        await using var command = sql.Command(dataSource,
            $"SELECT {ExperimentJson.Sql} FROM ml_experiments e WHERE e.project_id = {sql.Add(projectId)} AND e.name = {sql.Add(name)}");
        return await command.ExecuteScalarAsync(cancellationToken) is string json
            ? ExperimentJson.Parse(json)
            : MlflowError.ResourceDoesNotExist($"Could not find experiment with name '{name}'");
    }

    public async Task<Outcome<Done>> RenameAsync(long projectId, ExperimentId experimentId, string newName, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var (project, experiment) = (sql.Add(projectId), sql.Add(experimentId.Iid));
        try
        {
            return await AffectsAsync(
                $"""
                WITH old AS (
                    SELECT id, name FROM ml_experiments WHERE project_id = {project} AND iid = {experiment} FOR UPDATE
                ), e AS (
                    UPDATE ml_experiments e SET name = {sql.Add(newName)}, updated_at = {sql.Add(Timestamps.Now())} FROM old WHERE e.id = old.id RETURNING e.id, e.iid, e.name
                ), audit AS (
                    {AuditSql.Insert("old JOIN e ON e.id = old.id", "experiment_renamed", AuditEntity.Project, project, Target, "e.iid", "e.name",
                        AuditSql.Changes(("name", "old.name", "e.name")))}
                )
                SELECT count(*) FROM e
                """,
                sql, experimentId, cancellationToken);
        }
        catch (PostgresException e) when (e is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: Constraints.ExperimentName })
        {
            return AlreadyExists(newName);
        }
    }

    /// <summary>Soft delete (lifecycle_stage "deleted"), as MLflow does; its runs are marked deleted with it.</summary>
    public Task<Outcome<Done>> SetDeletedAsync(long projectId, ExperimentId experimentId, bool deleted, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var (project, experiment, delete, at) = (sql.Add(projectId), sql.Add(experimentId.Iid), sql.Add(deleted), sql.Add(Timestamps.Now()));
        return AffectsAsync(
            $"""
            WITH old AS (
                SELECT id, {ExperimentSql.LifecycleStage("deleted_at")} AS stage FROM ml_experiments WHERE project_id = {project} AND iid = {experiment} FOR UPDATE
            ), e AS (
                UPDATE ml_experiments e SET deleted_at = CASE WHEN {delete} THEN {at} END, updated_at = {at}
                FROM old WHERE e.id = old.id RETURNING e.id, e.iid, e.name, {ExperimentSql.LifecycleStage("e.deleted_at")} AS stage
            ), runs AS (
                UPDATE ml_candidates r SET deleted_at = CASE WHEN {delete} THEN {at} END, updated_at = {at}
                FROM e WHERE r.experiment_id = e.id AND (r.deleted_at IS NULL) = {delete}
            ), audit AS (
                {AuditSql.Insert("old JOIN e ON e.id = old.id", deleted ? "experiment_deleted" : "experiment_restored", AuditEntity.Project, project, Target,
                    "e.iid", "e.name", AuditSql.Changes(("lifecycle_stage", "old.stage", "e.stage")))}
            )
            SELECT count(*) FROM e
            """,
            sql, experimentId, cancellationToken);
    }

    public Task<Outcome<Done>> SetTagAsync(long projectId, ExperimentId experimentId, string key, string value, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var (project, experiment, tagKey, tagValue, at) = (sql.Add(projectId), sql.Add(experimentId.Iid), sql.Add(key), sql.Add(value), sql.Add(Timestamps.Now()));
        return AffectsAsync(
            $"""
            WITH e AS (
                SELECT id, iid, name, (SELECT value FROM ml_experiment_metadata WHERE experiment_id = ml_experiments.id AND name = {tagKey}) AS old_value
                FROM ml_experiments WHERE project_id = {project} AND iid = {experiment} FOR KEY SHARE
            ), tag AS (
                INSERT INTO ml_experiment_metadata (experiment_id, name, value, created_at, updated_at)
                SELECT id, {tagKey}, {tagValue}, {at}, {at} FROM e
                ON CONFLICT (experiment_id, name) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at
            ), audit AS (
                {AuditSql.Insert("e", "experiment_tag_set", AuditEntity.Project, project, Target, "e.iid", "e.name",
                    AuditSql.KeyedChange("tags", tagKey, "e.old_value", $"{tagValue}::text"))}
            )
            SELECT count(*) FROM e
            """,
            sql, experimentId, cancellationToken);
    }

    public Task<Outcome<Done>> DeleteTagAsync(long projectId, ExperimentId experimentId, string key, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var (project, experiment, tagKey) = (sql.Add(projectId), sql.Add(experimentId.Iid), sql.Add(key));
        return AffectsAsync(
            $"""
            WITH e AS (
                SELECT id, iid, name FROM ml_experiments WHERE project_id = {project} AND iid = {experiment}
            ), tag AS (
                DELETE FROM ml_experiment_metadata t USING e WHERE t.experiment_id = e.id AND t.name = {tagKey} RETURNING t.value
            ), audit AS (
                {AuditSql.Insert("e", "experiment_tag_deleted", AuditEntity.Project, project, Target, "e.iid", "e.name",
                    AuditSql.KeyedChange("tags", tagKey, "(SELECT value FROM tag)", "NULL::text"))}
            )
            SELECT count(*) FROM e
            """,
            sql, experimentId, cancellationToken);
    }

    private const string Target = "Experiment";

    private static MlflowError AlreadyExists(string name) => MlflowError.ResourceAlreadyExists($"Experiment(name={name}) already exists.");

    /// <summary>Runs a write that answers with how many experiments it found, in a recorded batch.</summary>
    private async Task<Outcome<Done>> AffectsAsync(string text, SqlParameters sql, ExperimentId experimentId, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateRecordedBatch().Add(text, sql);
        return (long)(await batch.ExecuteScalarAsync(cancellationToken))! > 0 ? new Done() : experimentId.NotFound();
    }
}
