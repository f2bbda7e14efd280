using Npgsql;
using Registry.Api.Changes;
using Registry.Api.Mlflow;

namespace Registry.Api.Features.ModelVersions;

public enum PointerOutcome { Done, ModelNotFound, VersionNotFound }

/// <summary>What points at versions: stages (with archiving), latest-per-stage, and aliases.</summary>
internal sealed class StageAndAliasStore(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Runs after the model row is locked, in the same implicit transaction; in READ COMMITTED this statement's
    /// snapshot then sees any transition that committed while we waited, so "archive the others" never misses one.
    /// </summary>
    private static readonly string TransitionSql =
        $"""
        WITH target AS (
            SELECT v.id, v.model_id, v.current_stage AS from_stage FROM ml_model_versions v JOIN ml_models m ON m.id = v.model_id
            WHERE m.project_id = $1 AND m.name = $2 AND v.version = $3
        ), archived AS (
            UPDATE ml_model_versions other SET current_stage = 'Archived', updated_at = $5 FROM target
            WHERE $6 AND other.model_id = target.model_id AND other.id <> target.id AND other.current_stage = $4
            RETURNING other.version
        ), moved AS (
            UPDATE ml_model_versions v SET current_stage = $4, updated_at = $5 FROM target WHERE v.id = target.id RETURNING v.*
        ), touched AS (
            UPDATE ml_models SET updated_at = $5 FROM target WHERE ml_models.id = target.model_id
        ), audit AS (
            {AuditSql.Insert("target", "model_version_stage_transitioned", AuditEntity.Project, "$1", "ModelVersion", "target.id", "$2 || '/' || $3",
                AuditSql.Changes(("current_stage", "target.from_stage", "$4::text"),
                    ("archived_versions", "NULL", "(SELECT array_agg(version ORDER BY version) FROM archived)")))}
        ), hook AS (
            {WebhookEventSql.Insert("target", "$1",
                WebhookEventSql.StageTransitioned("$2::text", "$3", "target.from_stage", "$4::text", "(SELECT array_agg(version) FROM archived)"))}
        )
        SELECT {ModelVersionSql.Json} FROM moved v JOIN ml_models m ON m.id = v.model_id
        """;

    public async Task<ModelVersion?> TransitionAsync(
        long projectId, string name, int version, string stage, bool archiveExisting, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateRecordedBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT 1 FROM ml_models WHERE project_id = $1 AND name = $2 FOR UPDATE")
        {
            Parameters = { new NpgsqlParameter<long> { TypedValue = projectId }, new NpgsqlParameter<string> { TypedValue = name } },
        });
        batch.BatchCommands.Add(new NpgsqlBatchCommand(TransitionSql)
        {
            Parameters =
            {
                new NpgsqlParameter<long> { TypedValue = projectId }, new NpgsqlParameter<string> { TypedValue = name },
                new NpgsqlParameter<int> { TypedValue = version }, new NpgsqlParameter<string> { TypedValue = stage },
                new NpgsqlParameter<DateTime> { TypedValue = Timestamps.Now() }, new NpgsqlParameter<bool> { TypedValue = archiveExisting },
            },
        });
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ModelVersionSql.Parse(reader.GetString(0)) : null;
    }

    /// <returns>The highest version in each requested stage, or null when the model does not exist.</returns>
    public async Task<IReadOnlyList<ModelVersion>?> LatestVersionsAsync(long projectId, string name, string[] stages, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {ModelVersionSql.LatestVersionsIn("$3::text[]")} FROM ml_models m WHERE m.project_id = $1 AND m.name = $2");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = projectId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = stages });
        return await command.ExecuteScalarAsync(cancellationToken) is string json ? ModelVersionSql.ParseList(json) : null;
    }

    /// <summary>
    /// Points the alias at the version, moving it if it pointed elsewhere. The model and then the version row are
    /// locked (the order a model delete takes them), so a concurrent delete lands first (nothing is found) or waits.
    /// </summary>
    public async Task<PointerOutcome> SetAliasAsync(long projectId, string name, string alias, int version, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateRecordedBatch().Add(
            $"""
            WITH m AS (
                SELECT id FROM ml_models WHERE project_id = $1 AND name = $2 FOR KEY SHARE
            ), v AS (
                SELECT v.id, v.model_id,
                       (SELECT p.version FROM ml_model_version_aliases a JOIN ml_model_versions p ON p.id = a.model_version_id
                        WHERE a.model_id = m.id AND a.alias = $4) AS old_version
                FROM ml_model_versions v JOIN m ON v.model_id = m.id WHERE v.version = $3 FOR KEY SHARE OF v
            ), aliased AS (
                INSERT INTO ml_model_version_aliases (model_id, model_version_id, alias, created_at)
                SELECT model_id, id, $4, $5 FROM v
                ON CONFLICT (model_id, alias) DO UPDATE SET model_version_id = EXCLUDED.model_version_id, created_at = EXCLUDED.created_at
            ), audit AS (
                {AuditSql.Insert("v", "registered_model_alias_set", AuditEntity.Project, "$1", "RegisteredModel", "v.model_id", "$2",
                    AuditSql.KeyedChange("aliases", "$4", "v.old_version::text", "$3::text"))}
            ), hook AS (
                {WebhookEventSql.Insert("v", "$1", WebhookEventSql.AliasCreated("v.model_id", "$2::text", "$4::text", "$3"))}
            )
            SELECT (SELECT count(*) FROM m), (SELECT count(*) FROM v)
            """,
            new NpgsqlParameter<long> { TypedValue = projectId }, new NpgsqlParameter<string> { TypedValue = name },
            new NpgsqlParameter<int> { TypedValue = version }, new NpgsqlParameter<string> { TypedValue = alias },
            new NpgsqlParameter<DateTime> { TypedValue = Timestamps.Now() });
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return reader.GetInt64(0) == 0 ? PointerOutcome.ModelNotFound : reader.GetInt64(1) == 0 ? PointerOutcome.VersionNotFound : PointerOutcome.Done;
    }

    /// <returns>false when the model does not exist; a missing alias is not an error (as in MLflow).</returns>
    public async Task<bool> DeleteAliasAsync(long projectId, string name, string alias, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateRecordedBatch().Add(
            $"""
            WITH m AS (
                SELECT id FROM ml_models WHERE project_id = $1 AND name = $2
            ), removed AS (
                DELETE FROM ml_model_version_aliases a USING m WHERE a.model_id = m.id AND a.alias = $3 RETURNING a.model_version_id
            ), audit AS (
                {AuditSql.Insert("m", "registered_model_alias_deleted", AuditEntity.Project, "$1", "RegisteredModel", "m.id", "$2",
                    AuditSql.KeyedChange("aliases", "$3", "(SELECT v.version::text FROM removed JOIN ml_model_versions v ON v.id = removed.model_version_id)", "NULL::text"))}
            ), hook AS (
                {WebhookEventSql.Insert("m", "$1", WebhookEventSql.AliasDeleted("m.id", "$2::text", "$3::text"))}
            )
            SELECT count(*) FROM m
            """,
            new NpgsqlParameter<long> { TypedValue = projectId }, new NpgsqlParameter<string> { TypedValue = name },
            new NpgsqlParameter<string> { TypedValue = alias });
        return (long)(await batch.ExecuteScalarAsync(cancellationToken))! > 0;
    }

    /// <returns>Whether the model exists, and the version behind the alias when it is set.</returns>
    public async Task<(bool ModelFound, ModelVersion? Version)> FindByAliasAsync(long projectId, string name, string alias, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            SELECT (SELECT {ModelVersionSql.Json}
                    FROM ml_model_version_aliases a JOIN ml_model_versions v ON v.id = a.model_version_id
                    WHERE a.model_id = m.id AND a.alias = $3)
            FROM ml_models m WHERE m.project_id = $1 AND m.name = $2
            """);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = projectId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = alias });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return (false, null);
        }
        return (true, reader.IsDBNull(0) ? null : ModelVersionSql.Parse(reader.GetString(0)));
    }
}
