using Npgsql;
using Registry.Api.Mlflow;

namespace Registry.Api.Features.RegisteredModels;

public enum RenameOutcome { Renamed, NotFound, NameTaken, ExperimentNameTaken }

/// <summary>
/// Registered models in PostgreSQL: every operation is one statement, so one round trip and one implicit transaction.
/// Uniqueness lives in the database; this class turns its verdicts into outcomes.
/// </summary>
internal sealed class RegisteredModelStore(NpgsqlDataSource dataSource)
{
    private const string ModelNameConstraint = "ix_ml_models_project_id_name";
    private const string ExperimentNameConstraint = "ix_ml_experiments_project_id_name";

    /// <summary>
    /// Finds or creates the model's default experiment <c>[model]name</c> (numbered from the project's counter only
    /// when it is new), creates the model, inserts its tags. A taken name fails on the unique index; nothing is written.
    /// </summary>
    internal const string CreateSql =
        """
        WITH existing AS (
            SELECT id FROM ml_experiments WHERE project_id = $1 AND name = $2
        ), next_iid AS (
            UPDATE projects SET last_experiment_iid = last_experiment_iid + 1
            WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM existing)
            RETURNING last_experiment_iid
        ), created AS (
            INSERT INTO ml_experiments (project_id, iid, name, user_id, created_at, updated_at)
            SELECT $1, last_experiment_iid, $2, $3, $4, $4 FROM next_iid
            ON CONFLICT (project_id, name) DO NOTHING
            RETURNING id
        ), experiment AS (
            SELECT id FROM existing UNION ALL SELECT id FROM created
        ), model AS (
            INSERT INTO ml_models (project_id, name, description, user_id, default_experiment_id, created_at, updated_at)
            SELECT $1, $5, $6, $3, id, $4, $4 FROM experiment
            RETURNING id
        ), tags AS (
            INSERT INTO ml_model_metadata (model_id, name, value, created_at, updated_at)
            SELECT model.id, tag.key, tag.value, $4, $4 FROM model, unnest($7::text[], $8::text[]) AS tag(key, value)
        )
        SELECT id FROM model
        """;

    internal const string FindSql =
        $"SELECT {RegisteredModelSql.Columns} FROM ml_models m {RegisteredModelSql.Joins} WHERE m.project_id = $1 AND m.name = $2";

    public static string DefaultExperimentName(string modelName) => $"[model]{modelName}";

    /// <returns>The created model, or null when the name is taken.</returns>
    public async Task<RegisteredModel?> CreateAsync(
        long projectId, long userId, string name, string? description, IReadOnlyList<RegisteredModelTag> tags, CancellationToken cancellationToken)
    {
        var now = Timestamps.Now();
        // A concurrent create of the same experiment can make ours yield no row without an error; the retry then sees it.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            await using var command = dataSource.CreateCommand(CreateSql);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = projectId });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = DefaultExperimentName(name) });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = userId });
            command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = now });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
            command.Parameters.Add(Sql.NullableText(description));
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. tags.Select(t => t.Key)] });
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. tags.Select(t => t.Value)] });
            try
            {
                if (await command.ExecuteScalarAsync(cancellationToken) is not null)
                {
                    var millis = Timestamps.ToMillis(now);
                    return new RegisteredModel(name, millis, millis, description, RegisteredModelSql.UserIdText(userId), tags, [], []);
                }
            }
            catch (PostgresException e) when (e is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: ModelNameConstraint })
            {
                return null;
            }
        }
        throw new InvalidOperationException($"Could not settle the default experiment of model '{name}' after concurrent creates.");
    }

    public Task<RegisteredModel?> FindAsync(long projectId, string name, CancellationToken cancellationToken) =>
        ReadOneAsync(
            FindSql,
            [new NpgsqlParameter<long> { TypedValue = projectId }, new NpgsqlParameter<string> { TypedValue = name }],
            cancellationToken);

    public Task<RegisteredModel?> UpdateDescriptionAsync(long projectId, string name, string? description, CancellationToken cancellationToken) =>
        ReadOneAsync(
            $"""
            WITH m AS (
                UPDATE ml_models SET description = $3, updated_at = $4 WHERE project_id = $1 AND name = $2 RETURNING *
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
            var model = await ReadOneAsync(
                $"""
                WITH m AS (
                    UPDATE ml_models SET name = $3, updated_at = $4 WHERE project_id = $1 AND name = $2 RETURNING *
                ), experiment AS (
                    UPDATE ml_experiments e SET name = $6, updated_at = $4 FROM m WHERE e.id = m.default_experiment_id AND e.name = $5
                )
                SELECT {RegisteredModelSql.Columns} FROM m {RegisteredModelSql.Joins}
                """,
                [new NpgsqlParameter<long> { TypedValue = projectId }, new NpgsqlParameter<string> { TypedValue = name },
                 new NpgsqlParameter<string> { TypedValue = newName }, new NpgsqlParameter<DateTime> { TypedValue = Timestamps.Now() },
                 new NpgsqlParameter<string> { TypedValue = DefaultExperimentName(name) },
                 new NpgsqlParameter<string> { TypedValue = DefaultExperimentName(newName) }],
                cancellationToken);
            return model is null ? (RenameOutcome.NotFound, null) : (RenameOutcome.Renamed, model);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return e.ConstraintName == ExperimentNameConstraint ? (RenameOutcome.ExperimentNameTaken, null) : (RenameOutcome.NameTaken, null);
        }
    }

    /// <summary>
    /// Deletes the model, its tags (cascade) and its default experiment, as GitLab does.
    /// The experiment's foreign key is checked at the end of the statement, after the model is gone.
    /// </summary>
    public Task<bool> DeleteAsync(long projectId, string name, CancellationToken cancellationToken) =>
        AffectsModelAsync(
            """
            WITH m AS (
                DELETE FROM ml_models WHERE project_id = $1 AND name = $2 RETURNING id, default_experiment_id
            ), experiment AS (
                DELETE FROM ml_experiments e USING m WHERE e.id = m.default_experiment_id
            )
            SELECT count(*) FROM m
            """,
            [new NpgsqlParameter<long> { TypedValue = projectId }, new NpgsqlParameter<string> { TypedValue = name }],
            cancellationToken);

    /// <returns>false when the model does not exist.</returns>
    public Task<bool> SetTagAsync(long projectId, string name, string key, string value, CancellationToken cancellationToken) =>
        AffectsModelAsync(
            """
            WITH m AS (
                SELECT id FROM ml_models WHERE project_id = $1 AND name = $2
            ), tag AS (
                INSERT INTO ml_model_metadata (model_id, name, value, created_at, updated_at)
                SELECT id, $3, $4, $5, $5 FROM m
                ON CONFLICT (model_id, name) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at
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
            """
            WITH m AS (
                SELECT id FROM ml_models WHERE project_id = $1 AND name = $2
            ), tag AS (
                DELETE FROM ml_model_metadata t USING m WHERE t.model_id = m.id AND t.name = $3
            )
            SELECT count(*) FROM m
            """,
            [new NpgsqlParameter<long> { TypedValue = projectId }, new NpgsqlParameter<string> { TypedValue = name },
             new NpgsqlParameter<string> { TypedValue = key }],
            cancellationToken);

    private async Task<RegisteredModel?> ReadOneAsync(string sql, NpgsqlParameter[] parameters, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddRange(parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? RegisteredModelSql.Read(reader) : null;
    }

    private async Task<bool> AffectsModelAsync(string sql, NpgsqlParameter[] parameters, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddRange(parameters);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))! > 0;
    }

}
