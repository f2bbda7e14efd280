using Npgsql;
using Registry.Api.Changes;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Sql;
using Registry.Data;

namespace Registry.Api.Features.RegisteredModels;

/// <summary>
/// Registered models in PostgreSQL: every operation is one statement, so one round trip and one implicit transaction.
/// Uniqueness lives in the database; this class turns its verdicts into outcomes.
/// Create, rename and delete touch a model and its default experiment in different orders, so they first take a
/// transaction-scoped advisory lock per model name (in key order, in the same round trip): writers of one name queue
/// instead of deadlocking.
/// </summary>
internal sealed class RegisteredModelStore(NpgsqlDataSource dataSource)
{
    private static readonly SqlColumns CreatedSelect = new();
    private static readonly int ModelCreated = CreatedSelect.Add("EXISTS (SELECT 1 FROM model)");
    private static readonly int ModelTaken = CreatedSelect.Add("EXISTS (SELECT 1 FROM model_taken)");

    /// <summary>
    /// Creates the model's own default experiment <c>[model]name</c> (numbered from the project's counter), the model,
    /// its tags, its audit event and its webhook event. It never adopts an experiment that exists: under the name lock, and
    /// with the prefix reserved, the name is free unless the model exists (or an experiment from before the prefix was
    /// reserved holds it); then nothing is written.
    /// </summary>
    internal static string CreateSql(
        SqlParameters sql, long projectId, long userId, string name, string? description, IReadOnlyList<RegisteredModelTag> tags, DateTime now)
    {
        var (project, experimentName, user, at) = (sql.Add(projectId), sql.Add(ModelExperimentNames.For(name)), sql.Add(userId), sql.Add(now));
        var (model, modelDescription) = (sql.Add(name), sql.Add(description));
        var (keys, values) = (sql.Add<string[]>([.. tags.Select(t => t.Key)]), sql.Add<string[]>([.. tags.Select(t => t.Value)]));
        return $"""
            WITH model_taken AS (
                SELECT 1 FROM ml_models WHERE project_id = {project} AND name = {model}
            ), experiment_taken AS (
                SELECT 1 FROM ml_experiments WHERE project_id = {project} AND name = {experimentName}
            ), next_iid AS (
                UPDATE projects SET last_experiment_iid = last_experiment_iid + 1
                WHERE id = {project} AND NOT EXISTS (SELECT 1 FROM model_taken) AND NOT EXISTS (SELECT 1 FROM experiment_taken)
                RETURNING last_experiment_iid
            ), experiment AS (
                INSERT INTO ml_experiments (project_id, iid, name, user_id, created_at, updated_at)
                SELECT {project}, last_experiment_iid, {experimentName}, {user}, {at}, {at} FROM next_iid
                RETURNING id
            ), model AS (
                INSERT INTO ml_models (project_id, name, description, user_id, default_experiment_id, created_at, updated_at)
                SELECT {project}, {model}, {modelDescription}, {user}, id, {at}, {at} FROM experiment
                RETURNING id
            ), tags AS (
                INSERT INTO ml_model_metadata (model_id, name, value, created_at, updated_at)
                SELECT model.id, tag.key, tag.value, {at}, {at} FROM model, unnest({keys}::text[], {values}::text[]) AS tag(key, value)
            ), audit AS (
                {AuditSql.Insert("model", "registered_model_created", AuditEntity.Project, project, "RegisteredModel", "model.id", model, AuditSql.Changes(
                    ("name", "NULL", $"{model}::text"), ("description", "NULL", $"{modelDescription}::text"), ("tags", "NULL", WebhookEventSql.Tags(keys, values))))}
            ), hook AS (
                {WebhookEventSql.Insert("model", project, WebhookEventSql.RegisteredModelCreated($"{model}::text", $"{modelDescription}::text", keys, values))}
            )
            SELECT {CreatedSelect.Sql}
            """;
    }

    internal static string FindSql(SqlParameters sql, long projectId, string name) =>
        $"SELECT {RegisteredModelSql.Columns} FROM ml_models m {RegisteredModelSql.Joins} WHERE m.project_id = {sql.Add(projectId)} AND m.name = {sql.Add(name)}";

    public async Task<Outcome<RegisteredModel>> CreateAsync(
        long projectId, long userId, string name, string? description, IReadOnlyList<RegisteredModelTag> tags, CancellationToken cancellationToken)
    {
        var now = Timestamps.Now();
        var sql = new SqlParameters();
        try
        {
            var (created, modelTaken) = await UnderNameLocksAsync(projectId, [name], CreateSql(sql, projectId, userId, name, description, tags, now), sql,
                async (reader, token) => await reader.ReadAsync(token) ? (reader.GetBoolean(ModelCreated), reader.GetBoolean(ModelTaken)) : (false, false),
                cancellationToken);
            if (!created)
            {
                return modelTaken ? AlreadyExists(name) : MlflowError.InvalidParameterValue(
                    $"Cannot create registered model '{name}': experiment '{ModelExperimentNames.For(name)}' already exists in this project " +
                    "and belongs to no model (it predates the reserved prefix). Rename or delete that experiment first.");
            }
        }
        catch (PostgresException e) when (e is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: Constraints.ModelName })
        {
            return AlreadyExists(name);
        }
        var millis = Timestamps.ToMillis(now);
        return new RegisteredModel(name, millis, millis, description, RegisteredModelSql.UserIdText(userId), tags, ModelVersionsJson.Empty, []);
    }

    public async Task<Outcome<RegisteredModel>> FindAsync(long projectId, string name, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        await using var command = sql.Command(dataSource, FindSql(sql, projectId, name));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await ReadModelAsync(reader, name, cancellationToken);
    }

    public Task<Outcome<RegisteredModel>> UpdateDescriptionAsync(long projectId, string name, string? description, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var (project, model) = (sql.Add(projectId), sql.Add(name));
        return ReadOneAsync(
            $"""
            WITH old AS (
                SELECT id, description FROM ml_models WHERE project_id = {project} AND name = {model} FOR UPDATE
            ), m AS (
                UPDATE ml_models SET description = {sql.Add(description)}, updated_at = {sql.Add(Timestamps.Now())} FROM old WHERE ml_models.id = old.id RETURNING ml_models.*
            ), audit AS (
                {AuditSql.Insert("old JOIN m ON m.id = old.id", "registered_model_updated", AuditEntity.Project, project, "RegisteredModel", "m.id", "m.name",
                    AuditSql.Changes(("description", "old.description", "m.description")))}
            )
            SELECT {RegisteredModelSql.Columns} FROM m {RegisteredModelSql.Joins}
            """,
            sql, name, cancellationToken);
    }

    /// <summary>Renames the model and its default experiment together.</summary>
    public async Task<Outcome<RegisteredModel>> RenameAsync(long projectId, string name, string newName, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var (project, oldName, at) = (sql.Add(projectId), sql.Add(name), sql.Add(Timestamps.Now()));
        try
        {
            return await UnderNameLocksAsync(
                projectId,
                [name, newName],
                $"""
                WITH m AS (
                    UPDATE ml_models SET name = {sql.Add(newName)}, updated_at = {at} WHERE project_id = {project} AND name = {oldName} RETURNING *
                ), experiment AS (
                    UPDATE ml_experiments e SET name = {sql.Add(ModelExperimentNames.For(newName))}, updated_at = {at}
                    FROM m WHERE e.id = m.default_experiment_id AND e.name = {sql.Add(ModelExperimentNames.For(name))}
                ), audit AS (
                    {AuditSql.Insert("m", "registered_model_renamed", AuditEntity.Project, project, "RegisteredModel", "m.id", "m.name",
                        AuditSql.Changes(("name", $"{oldName}::text", "m.name")))}
                )
                SELECT {RegisteredModelSql.Columns} FROM m {RegisteredModelSql.Joins}
                """,
                sql,
                (reader, token) => ReadModelAsync(reader, name, token),
                cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return e.ConstraintName == Constraints.ExperimentName
                ? MlflowError.ResourceAlreadyExists($"Cannot rename to '{newName}': experiment '{ModelExperimentNames.For(newName)}' already exists in this project.")
                : AlreadyExists(newName);
        }
    }

    /// <summary>
    /// Deletes the model with its tags, versions and aliases (cascades). Its default experiment is not destroyed: runs a user
    /// logged there stay restorable. It is soft-deleted with its runs (MLflow's <c>lifecycle_stage: deleted</c>) and renamed
    /// out of the way (<see cref="ModelExperimentNames"/>), so a new model of the same name gets a fresh one. An experiment
    /// that another model still uses (possible in data from before defaults were private) stays active.
    /// </summary>
    public Task<Outcome<Done>> DeleteAsync(long projectId, string name, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var (project, at) = (sql.Add(projectId), sql.Add(Timestamps.Now()));
        return UnderNameLocksAsync<Outcome<Done>>(
            projectId,
            [name],
            $"""
            WITH m AS (
                DELETE FROM ml_models WHERE project_id = {project} AND name = {sql.Add(name)} RETURNING id, default_experiment_id, name, description
            ), experiment AS (
                UPDATE ml_experiments e
                SET name = CASE WHEN e.name = {sql.Add(ModelExperimentNames.For(name))} THEN {ModelExperimentNames.DeletedSql} ELSE e.name END,
                    deleted_at = CASE WHEN shared.id IS NULL THEN COALESCE(e.deleted_at, {at}) ELSE e.deleted_at END,
                    updated_at = {at}
                FROM m LEFT JOIN LATERAL (
                    SELECT other.id FROM ml_models other WHERE other.default_experiment_id = m.default_experiment_id AND other.id <> m.id LIMIT 1
                ) shared ON true
                WHERE e.id = m.default_experiment_id
                RETURNING e.id, e.deleted_at
            ), runs AS (
                UPDATE ml_candidates r SET deleted_at = experiment.deleted_at, updated_at = {at}
                FROM experiment WHERE r.experiment_id = experiment.id AND experiment.deleted_at IS NOT NULL AND r.deleted_at IS NULL
            ), audit AS (
                {AuditSql.Insert("m", "registered_model_deleted", AuditEntity.Project, project, "RegisteredModel", "m.id", "m.name",
                    AuditSql.Changes(("name", "m.name", "NULL"), ("description", "m.description", "NULL")))}
            )
            SELECT count(*) FROM m
            """,
            sql,
            async (reader, token) => await reader.ReadAsync(token) && reader.GetInt64(0) > 0 ? new Done() : ModelRegistryErrors.ModelNotFound(name),
            cancellationToken);
    }

    public Task<Outcome<Done>> SetTagAsync(long projectId, string name, string key, string value, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var (project, model, tagKey, tagValue, at) = (sql.Add(projectId), sql.Add(name), sql.Add(key), sql.Add(value), sql.Add(Timestamps.Now()));
        return AffectsModelAsync(
            $"""
            WITH m AS (
                SELECT id, (SELECT value FROM ml_model_metadata WHERE model_id = ml_models.id AND name = {tagKey}) AS old_value
                FROM ml_models WHERE project_id = {project} AND name = {model} FOR KEY SHARE
            ), tag AS (
                INSERT INTO ml_model_metadata (model_id, name, value, created_at, updated_at)
                SELECT id, {tagKey}, {tagValue}, {at}, {at} FROM m
                ON CONFLICT (model_id, name) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at
            ), audit AS (
                {AuditSql.Insert("m", "registered_model_tag_set", AuditEntity.Project, project, "RegisteredModel", "m.id", model,
                    AuditSql.KeyedChange("tags", tagKey, "m.old_value", $"{tagValue}::text"))}
            ), hook AS (
                {WebhookEventSql.Insert("m", project, WebhookEventSql.RegisteredModelTagSet("m.id", $"{model}::text", $"{tagKey}::text", $"{tagValue}::text"))}
            )
            SELECT count(*) FROM m
            """,
            sql, name, cancellationToken);
    }

    /// <summary>A missing tag is not an error (as in MLflow); a missing model is.</summary>
    public Task<Outcome<Done>> DeleteTagAsync(long projectId, string name, string key, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var (project, model, tagKey) = (sql.Add(projectId), sql.Add(name), sql.Add(key));
        return AffectsModelAsync(
            $"""
            WITH m AS (
                SELECT id FROM ml_models WHERE project_id = {project} AND name = {model}
            ), tag AS (
                DELETE FROM ml_model_metadata t USING m WHERE t.model_id = m.id AND t.name = {tagKey} RETURNING t.value
            ), audit AS (
                {AuditSql.Insert("m", "registered_model_tag_deleted", AuditEntity.Project, project, "RegisteredModel", "m.id", model,
                    AuditSql.KeyedChange("tags", tagKey, "(SELECT value FROM tag)", "NULL::text"))}
            ), hook AS (
                {WebhookEventSql.Insert("m", project, WebhookEventSql.RegisteredModelTagDeleted("m.id", $"{model}::text", $"{tagKey}::text"))}
            )
            SELECT count(*) FROM m
            """,
            sql, name, cancellationToken);
    }

    private static MlflowError AlreadyExists(string name) => MlflowError.ResourceAlreadyExists($"Registered Model (name={name}) already exists.");

    /// <summary>Runs a write that answers with the model, in a recorded batch.</summary>
    private async Task<Outcome<RegisteredModel>> ReadOneAsync(string text, SqlParameters sql, string name, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateRecordedBatch().Add(text, sql);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        return await ReadModelAsync(reader, name, cancellationToken);
    }

    private static async Task<Outcome<RegisteredModel>> ReadModelAsync(NpgsqlDataReader reader, string name, CancellationToken cancellationToken) =>
        await reader.ReadAsync(cancellationToken) ? RegisteredModelSql.Read(reader) : ModelRegistryErrors.ModelNotFound(name);

    /// <summary>Runs the statement after the name locks, in one batch: one round trip, one implicit transaction.</summary>
    private async Task<T> UnderNameLocksAsync<T>(
        long projectId, string[] names, string text, SqlParameters sql,
        Func<NpgsqlDataReader, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        var locks = new SqlParameters();
        await using var batch = dataSource.CreateRecordedBatch()
            .Add(
                $"""
                SELECT pg_advisory_xact_lock(key)
                FROM (SELECT DISTINCT hashtextextended({locks.Add(projectId)}::text || '/' || name, 0) AS key FROM unnest({locks.Add(names)}::text[]) AS name ORDER BY key) keys
                """,
                locks)
            .Add(text, sql);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        return await read(reader, cancellationToken);
    }

    /// <summary>A write whose statement answers how many models it found.</summary>
    private async Task<Outcome<Done>> AffectsModelAsync(string text, SqlParameters sql, string name, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateRecordedBatch().Add(text, sql);
        return (long)(await batch.ExecuteScalarAsync(cancellationToken))! > 0 ? new Done() : ModelRegistryErrors.ModelNotFound(name);
    }
}
