using Npgsql;
using Registry.Api.Changes;
using Registry.Api.Features.ModelVersions;
using Registry.Api.Mlflow;

namespace Registry.Api.Features.RegisteredModels;

public enum RenameOutcome { Renamed, NotFound, NameTaken, ExperimentNameTaken }

public enum CreateOutcome { Created, NameTaken, ExperimentNameTaken }

/// <summary>
/// Registered models in PostgreSQL: every operation is one statement, so one round trip and one implicit transaction.
/// Uniqueness lives in the database; this class turns its verdicts into outcomes.
/// Create, rename and delete touch a model and its default experiment in different orders, so they first take a
/// transaction-scoped advisory lock per model name (in key order, in the same round trip): writers of one name queue
/// instead of deadlocking.
/// </summary>
internal sealed class RegisteredModelStore(NpgsqlDataSource dataSource)
{
    private const string ModelNameConstraint = "ix_ml_models_project_id_name";
    private const string ExperimentNameConstraint = "ix_ml_experiments_project_id_name";

    /// <summary>
    /// Creates the model's own default experiment <c>[model]name</c> (numbered from the project's counter), the model,
    /// its tags, its audit event and its webhook event. It never adopts an experiment that exists: under the name lock, and
    /// with the prefix reserved, the name is free unless the model exists (or an experiment from before the prefix was
    /// reserved holds it); then nothing is written.
    /// </summary>
    internal static readonly string CreateSql =
        $"""
        WITH model_taken AS (
            SELECT 1 FROM ml_models WHERE project_id = $1 AND name = $5
        ), experiment_taken AS (
            SELECT 1 FROM ml_experiments WHERE project_id = $1 AND name = $2
        ), next_iid AS (
            UPDATE projects SET last_experiment_iid = last_experiment_iid + 1
            WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM model_taken) AND NOT EXISTS (SELECT 1 FROM experiment_taken)
            RETURNING last_experiment_iid
        ), experiment AS (
            INSERT INTO ml_experiments (project_id, iid, name, user_id, created_at, updated_at)
            SELECT $1, last_experiment_iid, $2, $3, $4, $4 FROM next_iid
            RETURNING id
        ), model AS (
            INSERT INTO ml_models (project_id, name, description, user_id, default_experiment_id, created_at, updated_at)
            SELECT $1, $5, $6, $3, id, $4, $4 FROM experiment
            RETURNING id
        ), tags AS (
            INSERT INTO ml_model_metadata (model_id, name, value, created_at, updated_at)
            SELECT model.id, tag.key, tag.value, $4, $4 FROM model, unnest($7::text[], $8::text[]) AS tag(key, value)
        ), audit AS (
            {AuditSql.Insert("model", "registered_model_created", AuditEntity.Project, "$1", "RegisteredModel", "model.id", "$5", AuditSql.Changes(
                ("name", "NULL", "$5::text"), ("description", "NULL", "$6::text"), ("tags", "NULL", WebhookEventSql.Tags("$7", "$8"))))}
        ), hook AS (
            {WebhookEventSql.Insert("model", "$1", WebhookEventSql.RegisteredModelCreated("$5::text", "$6::text", "$7", "$8"))}
        )
        SELECT EXISTS (SELECT 1 FROM model), EXISTS (SELECT 1 FROM model_taken)
        """;

    /// <summary>One advisory lock per distinct name, taken in key order so two writers never wait on each other crosswise.</summary>
    private const string LockNamesSql =
        """
        SELECT pg_advisory_xact_lock(key)
        FROM (SELECT DISTINCT hashtextextended($1::text || '/' || name, 0) AS key FROM unnest($2::text[]) AS name ORDER BY key) keys
        """;

    internal const string FindSql =
        $"SELECT {RegisteredModelSql.Columns} FROM ml_models m {RegisteredModelSql.Joins} WHERE m.project_id = $1 AND m.name = $2";

    public async Task<(CreateOutcome Outcome, RegisteredModel? Model)> CreateAsync(
        long projectId, long userId, string name, string? description, IReadOnlyList<RegisteredModelTag> tags, CancellationToken cancellationToken)
    {
        var now = Timestamps.Now();
        NpgsqlParameter[] parameters =
        [
            new NpgsqlParameter<long> { TypedValue = projectId },
            new NpgsqlParameter<string> { TypedValue = ModelExperimentNames.For(name) },
            new NpgsqlParameter<long> { TypedValue = userId },
            new NpgsqlParameter<DateTime> { TypedValue = now },
            new NpgsqlParameter<string> { TypedValue = name },
            Sql.NullableText(description),
            new NpgsqlParameter<string[]> { TypedValue = [.. tags.Select(t => t.Key)] },
            new NpgsqlParameter<string[]> { TypedValue = [.. tags.Select(t => t.Value)] },
        ];
        try
        {
            var (created, modelTaken) = await UnderNameLocksAsync(projectId, [name], CreateSql, parameters,
                async (reader, token) => await reader.ReadAsync(token) ? (reader.GetBoolean(0), reader.GetBoolean(1)) : (false, false),
                cancellationToken);
            if (!created)
            {
                return (modelTaken ? CreateOutcome.NameTaken : CreateOutcome.ExperimentNameTaken, null);
            }
        }
        catch (PostgresException e) when (e is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: ModelNameConstraint })
        {
            return (CreateOutcome.NameTaken, null);
        }
        var millis = Timestamps.ToMillis(now);
        return (CreateOutcome.Created,
            new RegisteredModel(name, millis, millis, description, RegisteredModelSql.UserIdText(userId), tags, ModelVersionsJson.Empty, []));
    }

    public async Task<RegisteredModel?> FindAsync(long projectId, string name, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(FindSql);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = projectId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await ReadModelAsync(reader, cancellationToken);
    }

    public Task<RegisteredModel?> UpdateDescriptionAsync(long projectId, string name, string? description, CancellationToken cancellationToken) =>
        ReadOneAsync(
            $"""
            WITH old AS (
                SELECT id, description FROM ml_models WHERE project_id = $1 AND name = $2 FOR UPDATE
            ), m AS (
                UPDATE ml_models SET description = $3, updated_at = $4 FROM old WHERE ml_models.id = old.id RETURNING ml_models.*
            ), audit AS (
                {AuditSql.Insert("old JOIN m ON m.id = old.id", "registered_model_updated", AuditEntity.Project, "$1", "RegisteredModel", "m.id", "m.name",
                    AuditSql.Changes(("description", "old.description", "m.description")))}
            )
            SELECT {RegisteredModelSql.Columns} FROM m {RegisteredModelSql.Joins}
            """,
            [new NpgsqlParameter<long> { TypedValue = projectId }, new NpgsqlParameter<string> { TypedValue = name },
             Sql.NullableText(description), new NpgsqlParameter<DateTime> { TypedValue = Timestamps.Now() }],
            cancellationToken);

    /// <summary>Renames the model and its default experiment together.</summary>
    public async Task<(RenameOutcome Outcome, RegisteredModel? Model)> RenameAsync(long projectId, string name, string newName, CancellationToken cancellationToken)
    {
        try
        {
            var model = await UnderNameLocksAsync(
                projectId,
                [name, newName],
                $"""
                WITH m AS (
                    UPDATE ml_models SET name = $3, updated_at = $4 WHERE project_id = $1 AND name = $2 RETURNING *
                ), experiment AS (
                    UPDATE ml_experiments e SET name = $6, updated_at = $4 FROM m WHERE e.id = m.default_experiment_id AND e.name = $5
                ), audit AS (
                    {AuditSql.Insert("m", "registered_model_renamed", AuditEntity.Project, "$1", "RegisteredModel", "m.id", "m.name",
                        AuditSql.Changes(("name", "$2::text", "m.name")))}
                )
                SELECT {RegisteredModelSql.Columns} FROM m {RegisteredModelSql.Joins}
                """,
                [new NpgsqlParameter<long> { TypedValue = projectId }, new NpgsqlParameter<string> { TypedValue = name },
                 new NpgsqlParameter<string> { TypedValue = newName }, new NpgsqlParameter<DateTime> { TypedValue = Timestamps.Now() },
                 new NpgsqlParameter<string> { TypedValue = ModelExperimentNames.For(name) },
                 new NpgsqlParameter<string> { TypedValue = ModelExperimentNames.For(newName) }],
                ReadModelAsync,
                cancellationToken);
            return model is null ? (RenameOutcome.NotFound, null) : (RenameOutcome.Renamed, model);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return e.ConstraintName == ExperimentNameConstraint ? (RenameOutcome.ExperimentNameTaken, null) : (RenameOutcome.NameTaken, null);
        }
    }

    /// <summary>
    /// Deletes the model with its tags, versions and aliases (cascades). Its default experiment is not destroyed: runs a user
    /// logged there stay restorable. It is soft-deleted with its runs (MLflow's <c>lifecycle_stage: deleted</c>) and renamed
    /// out of the way (<see cref="ModelExperimentNames"/>), so a new model of the same name gets a fresh one. An experiment
    /// that another model still uses (possible in data from before defaults were private) stays active.
    /// </summary>
    public Task<bool> DeleteAsync(long projectId, string name, CancellationToken cancellationToken) =>
        UnderNameLocksAsync(
            projectId,
            [name],
            $"""
            WITH m AS (
                DELETE FROM ml_models WHERE project_id = $1 AND name = $2 RETURNING id, default_experiment_id, name, description
            ), experiment AS (
                UPDATE ml_experiments e
                SET name = CASE WHEN e.name = $3 THEN {ModelExperimentNames.DeletedSql} ELSE e.name END,
                    deleted_at = CASE WHEN shared.id IS NULL THEN COALESCE(e.deleted_at, $4) ELSE e.deleted_at END,
                    updated_at = $4
                FROM m LEFT JOIN LATERAL (
                    SELECT other.id FROM ml_models other WHERE other.default_experiment_id = m.default_experiment_id AND other.id <> m.id LIMIT 1
                ) shared ON true
                WHERE e.id = m.default_experiment_id
                RETURNING e.id, e.deleted_at
            ), runs AS (
                UPDATE ml_candidates r SET deleted_at = experiment.deleted_at, updated_at = $4
                FROM experiment WHERE r.experiment_id = experiment.id AND experiment.deleted_at IS NOT NULL AND r.deleted_at IS NULL
            ), audit AS (
                {AuditSql.Insert("m", "registered_model_deleted", AuditEntity.Project, "$1", "RegisteredModel", "m.id", "m.name",
                    AuditSql.Changes(("name", "m.name", "NULL"), ("description", "m.description", "NULL")))}
            )
            SELECT count(*) FROM m
            """,
            [new NpgsqlParameter<long> { TypedValue = projectId }, new NpgsqlParameter<string> { TypedValue = name },
             new NpgsqlParameter<string> { TypedValue = ModelExperimentNames.For(name) }, new NpgsqlParameter<DateTime> { TypedValue = Timestamps.Now() }],
            async (reader, token) => await reader.ReadAsync(token) && reader.GetInt64(0) > 0,
            cancellationToken);

    /// <returns>false when the model does not exist.</returns>
    public Task<bool> SetTagAsync(long projectId, string name, string key, string value, CancellationToken cancellationToken) =>
        AffectsModelAsync(
            $"""
            WITH m AS (
                SELECT id, (SELECT value FROM ml_model_metadata WHERE model_id = ml_models.id AND name = $3) AS old_value
                FROM ml_models WHERE project_id = $1 AND name = $2 FOR KEY SHARE
            ), tag AS (
                INSERT INTO ml_model_metadata (model_id, name, value, created_at, updated_at)
                SELECT id, $3, $4, $5, $5 FROM m
                ON CONFLICT (model_id, name) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at
            ), audit AS (
                {AuditSql.Insert("m", "registered_model_tag_set", AuditEntity.Project, "$1", "RegisteredModel", "m.id", "$2",
                    AuditSql.KeyedChange("tags", "$3", "m.old_value", "$4::text"))}
            ), hook AS (
                {WebhookEventSql.Insert("m", "$1", WebhookEventSql.RegisteredModelTagSet("m.id", "$2::text", "$3::text", "$4::text"))}
            )
            SELECT count(*) FROM m
            """,
            [new NpgsqlParameter<long> { TypedValue = projectId }, new NpgsqlParameter<string> { TypedValue = name },
             new NpgsqlParameter<string> { TypedValue = key }, new NpgsqlParameter<string> { TypedValue = value },
             new NpgsqlParameter<DateTime> { TypedValue = Timestamps.Now() }],
            cancellationToken);

    /// <returns>false when the model does not exist; a missing tag is not an error (as in MLflow).</returns>
    public Task<bool> DeleteTagAsync(long projectId, string name, string key, CancellationToken cancellationToken) =>
        AffectsModelAsync(
            $"""
            WITH m AS (
                SELECT id FROM ml_models WHERE project_id = $1 AND name = $2
            ), tag AS (
                DELETE FROM ml_model_metadata t USING m WHERE t.model_id = m.id AND t.name = $3 RETURNING t.value
            ), audit AS (
                {AuditSql.Insert("m", "registered_model_tag_deleted", AuditEntity.Project, "$1", "RegisteredModel", "m.id", "$2",
                    AuditSql.KeyedChange("tags", "$3", "(SELECT value FROM tag)", "NULL::text"))}
            ), hook AS (
                {WebhookEventSql.Insert("m", "$1", WebhookEventSql.RegisteredModelTagDeleted("m.id", "$2::text", "$3::text"))}
            )
            SELECT count(*) FROM m
            """,
            [new NpgsqlParameter<long> { TypedValue = projectId }, new NpgsqlParameter<string> { TypedValue = name },
             new NpgsqlParameter<string> { TypedValue = key }],
            cancellationToken);

    /// <summary>Runs a write that answers with the model, in a recorded batch.</summary>
    private async Task<RegisteredModel?> ReadOneAsync(string sql, NpgsqlParameter[] parameters, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateRecordedBatch().Add(sql, parameters);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        return await ReadModelAsync(reader, cancellationToken);
    }

    private static async Task<RegisteredModel?> ReadModelAsync(NpgsqlDataReader reader, CancellationToken cancellationToken) =>
        await reader.ReadAsync(cancellationToken) ? RegisteredModelSql.Read(reader) : null;

    /// <summary>Runs the statement after the name locks, in one batch: one round trip, one implicit transaction.</summary>
    private async Task<T> UnderNameLocksAsync<T>(
        long projectId, string[] names, string sql, NpgsqlParameter[] parameters,
        Func<NpgsqlDataReader, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateRecordedBatch();
        var locks = new NpgsqlBatchCommand(LockNamesSql);
        locks.Parameters.Add(new NpgsqlParameter<long> { TypedValue = projectId });
        locks.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = names });
        var statement = new NpgsqlBatchCommand(sql);
        statement.Parameters.AddRange(parameters);
        batch.BatchCommands.Add(locks);
        batch.BatchCommands.Add(statement);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        return await read(reader, cancellationToken);
    }

    private async Task<bool> AffectsModelAsync(string sql, NpgsqlParameter[] parameters, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateRecordedBatch().Add(sql, parameters);
        return (long)(await batch.ExecuteScalarAsync(cancellationToken))! > 0;
    }

}
