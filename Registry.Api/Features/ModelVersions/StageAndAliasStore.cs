using Npgsql;
using Registry.Api.Changes;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Sql;

namespace Registry.Api.Features.ModelVersions;

/// <summary>What points at versions: stages (with archiving), latest-per-stage, and aliases.</summary>
internal sealed class StageAndAliasStore(NpgsqlDataSource dataSource)
{
    private static readonly SqlColumns AliasSelect = new();
    private static readonly int AliasModelsFound = AliasSelect.Add("(SELECT count(*) FROM m)");
    private static readonly int AliasVersionsFound = AliasSelect.Add("(SELECT count(*) FROM v)");

    /// <summary>
    /// The transition runs after the model row is locked, in the same implicit transaction; in READ COMMITTED its
    /// snapshot then sees any transition that committed while we waited, so "archive the others" never misses one.
    /// </summary>
    public async Task<Outcome<ModelVersion>> TransitionAsync(
        long projectId, string name, int version, string stage, bool archiveExisting, CancellationToken cancellationToken)
    {
        var lockModel = new SqlParameters();
        var sql = new SqlParameters();
        var key = VersionKey.Of(sql, projectId, name, version);
        var (toStage, at) = (sql.Add(stage), sql.Add(Timestamps.Now()));
        await using var batch = dataSource.CreateRecordedBatch()
            .Add($"SELECT 1 FROM ml_models WHERE project_id = {lockModel.Add(projectId)} AND name = {lockModel.Add(name)} FOR UPDATE", lockModel)
            .Add(
                $"""
                WITH target AS (
                    SELECT v.id, v.model_id, v.current_stage AS from_stage FROM ml_model_versions v JOIN ml_models m ON m.id = v.model_id
                    WHERE {key.Where}
                ), archived AS (
                    UPDATE ml_model_versions other SET current_stage = 'Archived', updated_at = {at} FROM target
                    WHERE {sql.Add(archiveExisting)} AND other.model_id = target.model_id AND other.id <> target.id AND other.current_stage = {toStage}
                    RETURNING other.version
                ), moved AS (
                    UPDATE ml_model_versions v SET current_stage = {toStage}, updated_at = {at} FROM target WHERE v.id = target.id RETURNING v.*
                ), touched AS (
                    UPDATE ml_models SET updated_at = {at} FROM target WHERE ml_models.id = target.model_id
                ), audit AS (
                    {AuditSql.Insert("target", "model_version_stage_transitioned", AuditEntity.Project, key.Project, "ModelVersion", "target.id", key.Details,
                        AuditSql.Changes(("current_stage", "target.from_stage", $"{toStage}::text"),
                            ("archived_versions", "NULL", "(SELECT array_agg(version ORDER BY version) FROM archived)")))}
                ), hook AS (
                    {WebhookEventSql.Insert("target", key.Project,
                        WebhookEventSql.StageTransitioned($"{key.Name}::text", key.Number, "target.from_stage", $"{toStage}::text", "(SELECT array_agg(version) FROM archived)"))}
                )
                SELECT {ModelVersionSql.Json} FROM moved v JOIN ml_models m ON m.id = v.model_id
                """,
                sql);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ModelVersionSql.Parse(reader.GetString(0)) : ModelRegistryErrors.VersionNotFound(name, version);
    }

    /// <returns>The highest version in each requested stage.</returns>
    public async Task<Outcome<IReadOnlyList<ModelVersion>>> LatestVersionsAsync(long projectId, string name, string[] stages, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        await using var command = sql.Command(dataSource,
            $"SELECT {ModelVersionSql.LatestVersionsIn($"{sql.Add(stages)}::text[]")} FROM ml_models m WHERE m.project_id = {sql.Add(projectId)} AND m.name = {sql.Add(name)}");
        return await command.ExecuteScalarAsync(cancellationToken) is string json
            ? Outcome<IReadOnlyList<ModelVersion>>.Of(ModelVersionSql.ParseList(json))
            : ModelRegistryErrors.ModelNotFound(name);
    }

    /// <summary>
    /// Points the alias at the version, moving it if it pointed elsewhere. The model and then the version row are
    /// locked (the order a model delete takes them), so a concurrent delete lands first (nothing is found) or waits.
    /// </summary>
    public async Task<Outcome<Done>> SetAliasAsync(long projectId, string name, string alias, int version, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var (project, model, number, aliasName) = (sql.Add(projectId), sql.Add(name), sql.Add(version), sql.Add(alias));
        await using var batch = dataSource.CreateRecordedBatch().Add(
            $"""
            WITH m AS (
                SELECT id FROM ml_models WHERE project_id = {project} AND name = {model} FOR KEY SHARE
            ), v AS (
                SELECT v.id, v.model_id,
                       (SELECT p.version FROM ml_model_version_aliases a JOIN ml_model_versions p ON p.id = a.model_version_id
                        WHERE a.model_id = m.id AND a.alias = {aliasName}) AS old_version
                FROM ml_model_versions v JOIN m ON v.model_id = m.id WHERE v.version = {number} FOR KEY SHARE OF v
            ), aliased AS (
                INSERT INTO ml_model_version_aliases (model_id, model_version_id, alias, created_at)
                SELECT model_id, id, {aliasName}, {sql.Add(Timestamps.Now())} FROM v
                ON CONFLICT (model_id, alias) DO UPDATE SET model_version_id = EXCLUDED.model_version_id, created_at = EXCLUDED.created_at
            ), audit AS (
                {AuditSql.Insert("v", "registered_model_alias_set", AuditEntity.Project, project, "RegisteredModel", "v.model_id", model,
                    AuditSql.KeyedChange("aliases", aliasName, "v.old_version::text", $"{number}::text"))}
            ), hook AS (
                {WebhookEventSql.Insert("v", project, WebhookEventSql.AliasCreated("v.model_id", $"{model}::text", $"{aliasName}::text", number))}
            )
            SELECT {AliasSelect.Sql}
            """,
            sql);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return reader.GetInt64(AliasModelsFound) == 0 ? ModelRegistryErrors.ModelNotFound(name)
            : reader.GetInt64(AliasVersionsFound) == 0 ? ModelRegistryErrors.VersionNotFound(name, version)
            : new Done();
    }

    /// <summary>A missing alias is not an error (as in MLflow); a missing model is.</summary>
    public async Task<Outcome<Done>> DeleteAliasAsync(long projectId, string name, string alias, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var (project, model, aliasName) = (sql.Add(projectId), sql.Add(name), sql.Add(alias));
        await using var batch = dataSource.CreateRecordedBatch().Add(
            $"""
            WITH m AS (
                SELECT id FROM ml_models WHERE project_id = {project} AND name = {model}
            ), removed AS (
                DELETE FROM ml_model_version_aliases a USING m WHERE a.model_id = m.id AND a.alias = {aliasName} RETURNING a.model_version_id
            ), audit AS (
                {AuditSql.Insert("m", "registered_model_alias_deleted", AuditEntity.Project, project, "RegisteredModel", "m.id", model,
                    AuditSql.KeyedChange("aliases", aliasName, "(SELECT v.version::text FROM removed JOIN ml_model_versions v ON v.id = removed.model_version_id)", "NULL::text"))}
            ), hook AS (
                {WebhookEventSql.Insert("m", project, WebhookEventSql.AliasDeleted("m.id", $"{model}::text", $"{aliasName}::text"))}
            )
            SELECT count(*) FROM m
            """,
            sql);
        return (long)(await batch.ExecuteScalarAsync(cancellationToken))! > 0 ? new Done() : ModelRegistryErrors.ModelNotFound(name);
    }

    /// <summary>MLflow's codes: a missing model is RESOURCE_DOES_NOT_EXIST, an alias it does not have INVALID_PARAMETER_VALUE.</summary>
    public async Task<Outcome<ModelVersion>> FindByAliasAsync(long projectId, string name, string alias, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var (project, model, aliasName) = (sql.Add(projectId), sql.Add(name), sql.Add(alias));
        await using var command = sql.Command(dataSource,
            $"""
            SELECT (SELECT {ModelVersionSql.Json}
                    FROM ml_model_version_aliases a JOIN ml_model_versions v ON v.id = a.model_version_id
                    WHERE a.model_id = m.id AND a.alias = {aliasName})
            FROM ml_models m WHERE m.project_id = {project} AND m.name = {model}
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return ModelRegistryErrors.ModelNotFound(name);
        }
        return reader.IsDBNull(0)
            ? MlflowError.InvalidParameterValue($"Registered model alias {alias} not found.")
            : ModelVersionSql.Parse(reader.GetString(0));
    }
}
