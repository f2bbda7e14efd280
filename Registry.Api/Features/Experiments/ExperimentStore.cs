using Npgsql;
using Registry.Api.Mlflow;

namespace Registry.Api.Features.Experiments;

public enum ExperimentWrite { Done, NotFound, NameTaken }

/// <summary>Experiments and their tags. One statement per operation; uniqueness of names lives in the database.</summary>
internal sealed class ExperimentStore(NpgsqlDataSource dataSource)
{
    private const string NameConstraint = "ix_ml_experiments_project_id_name";

    /// <returns>The new experiment's id, or null when the name is taken.</returns>
    public async Task<int?> CreateAsync(long projectId, long userId, string name, string? artifactLocation, IReadOnlyList<KeyValue> tags, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            WITH next_iid AS (
                UPDATE projects SET last_experiment_iid = last_experiment_iid + 1 WHERE id = $1 RETURNING last_experiment_iid
            ), e AS (
                INSERT INTO ml_experiments (project_id, iid, name, user_id, artifact_location, created_at, updated_at)
                SELECT $1, last_experiment_iid, $2, $3, $4, $5, $5 FROM next_iid
                RETURNING id, iid
            ), tags AS (
                INSERT INTO ml_experiment_metadata (experiment_id, name, value, created_at, updated_at)
                SELECT e.id, tag.key, tag.value, $5, $5 FROM e, unnest($6::text[], $7::text[]) AS tag(key, value)
            )
            SELECT iid FROM e
            """);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = projectId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = userId });
        command.Parameters.Add(Sql.NullableText(artifactLocation));
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = Timestamps.Now() });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. tags.Select(t => t.Key)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. tags.Select(t => t.Value)] });
        try
        {
            return (int?)await command.ExecuteScalarAsync(cancellationToken);
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
            return await AffectsAsync("UPDATE ml_experiments SET name = $3, updated_at = $4 WHERE project_id = $1 AND iid = $2",
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
            """
            WITH e AS (
                UPDATE ml_experiments SET deleted_at = CASE WHEN $3 THEN $4 END, updated_at = $4
                WHERE project_id = $1 AND iid = $2 RETURNING id
            ), runs AS (
                UPDATE ml_candidates r SET deleted_at = CASE WHEN $3 THEN $4 END, updated_at = $4
                FROM e WHERE r.experiment_id = e.id AND (r.deleted_at IS NULL) = $3
            )
            SELECT count(*) FROM e
            """,
            projectId, iid, [new NpgsqlParameter<bool> { TypedValue = deleted }, Now()], cancellationToken, scalar: true);

    public Task<ExperimentWrite> SetTagAsync(long projectId, int iid, string key, string value, CancellationToken cancellationToken) =>
        AffectsAsync(
            """
            WITH e AS (
                SELECT id FROM ml_experiments WHERE project_id = $1 AND iid = $2 FOR KEY SHARE
            ), tag AS (
                INSERT INTO ml_experiment_metadata (experiment_id, name, value, created_at, updated_at)
                SELECT id, $3, $4, $5, $5 FROM e
                ON CONFLICT (experiment_id, name) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at
            )
            SELECT count(*) FROM e
            """,
            projectId, iid, [new NpgsqlParameter<string> { TypedValue = key }, new NpgsqlParameter<string> { TypedValue = value }, Now()],
            cancellationToken, scalar: true);

    public Task<ExperimentWrite> DeleteTagAsync(long projectId, int iid, string key, CancellationToken cancellationToken) =>
        AffectsAsync(
            """
            WITH e AS (
                SELECT id FROM ml_experiments WHERE project_id = $1 AND iid = $2
            ), tag AS (
                DELETE FROM ml_experiment_metadata t USING e WHERE t.experiment_id = e.id AND t.name = $3
            )
            SELECT count(*) FROM e
            """,
            projectId, iid, [new NpgsqlParameter<string> { TypedValue = key }], cancellationToken, scalar: true);

    private async Task<ExperimentWrite> AffectsAsync(
        string sql, long projectId, int iid, NpgsqlParameter[] more, CancellationToken cancellationToken, bool scalar = false)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = projectId });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = iid });
        command.Parameters.AddRange(more);
        var affected = scalar ? (long)(await command.ExecuteScalarAsync(cancellationToken))! : await command.ExecuteNonQueryAsync(cancellationToken);
        return affected > 0 ? ExperimentWrite.Done : ExperimentWrite.NotFound;
    }

    private static NpgsqlParameter<DateTime> Now() => new() { TypedValue = Timestamps.Now() };
}
