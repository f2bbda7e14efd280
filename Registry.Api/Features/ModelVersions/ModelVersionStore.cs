using Npgsql;
using Registry.Api.Features.RegisteredModels;
using Registry.Api.Mlflow;

namespace Registry.Api.Features.ModelVersions;

/// <summary>Model versions and their tags. Each operation is one statement: one round trip, one implicit transaction.</summary>
internal sealed class ModelVersionStore(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// The model's row lock (taken by bumping its version counter) orders concurrent creates: each gets the next
    /// number, none fails, and a number once handed out is never handed out again, even after a delete.
    /// </summary>
    private const string CreateSql =
        """
        WITH m AS (
            UPDATE ml_models SET last_version = last_version + 1, updated_at = $3
            WHERE project_id = $1 AND name = $2
            RETURNING id, last_version
        ), v AS (
            INSERT INTO ml_model_versions
                (project_id, model_id, version, description, source, run_id, run_link, status, current_stage, user_id, created_at, updated_at, logged_model_id)
            SELECT $1, m.id, m.last_version, $4, $5,
                   COALESCE($6, (SELECT lm.source_run_id FROM ml_logged_models lm WHERE lm.project_id = $1 AND lm.model_id = $11)),
                   $7, 'READY', 'None', $8, $3, $3, $11 FROM m
            RETURNING id, run_id
        ), tags AS (
            INSERT INTO ml_model_version_metadata (model_version_id, name, value, created_at, updated_at)
            SELECT v.id, tag.key, tag.value, $3, $3 FROM v, unnest($9::text[], $10::text[]) AS tag(key, value)
        )
        SELECT m.last_version, v.run_id FROM m, v
        """;

    private const string VersionWhere = "m.project_id = $1 AND m.name = $2 AND v.version = $3";

    /// <summary>How many copies (<c>models:/&lt;name&gt;/&lt;version&gt;</c> sources) get-download-uri follows.</summary>
    public const int MaxCopyDepth = 10;

    /// <summary>
    /// Follows <c>models:/&lt;name&gt;/&lt;version&gt;</c> sources to the version that holds the files (at most
    /// <see cref="MaxCopyDepth"/> hops: a copy of a copy of itself ends), then resolves a <c>runs:/</c> source to the
    /// run's artifact location and a <c>models:/&lt;model_id&gt;</c> source to the logged model's. One statement.
    /// </summary>
    private const string ResolveDownloadUriSql =
        $$"""
        WITH RECURSIVE chain(depth, source) AS (
            SELECT 0, v.source FROM ml_model_versions v JOIN ml_models m ON m.id = v.model_id WHERE {{VersionWhere}}
            UNION ALL
            SELECT c.depth + 1, v.source
            FROM chain c
            JOIN ml_models m ON m.project_id = $1 AND m.name = substring(c.source FROM '^models:/([^/]+)/[0-9]{1,9}$')
            JOIN ml_model_versions v ON v.model_id = m.id AND v.version = substring(c.source FROM '^models:/[^/]+/([0-9]{1,9})$')::int
            WHERE c.depth < $4
        ), last AS (
            SELECT depth, source FROM chain ORDER BY depth DESC LIMIT 1
        )
        SELECT COALESCE(
                   (SELECT {{Runs.RunSql.ArtifactUri}} || COALESCE('/' || NULLIF(substring(last.source FROM '^runs:/[^/]+/(.*)$'), ''), '')
                    FROM ml_candidates r JOIN ml_experiments e ON e.id = r.experiment_id
                    WHERE r.project_id = $1 AND r.run_id = substring(last.source FROM '^runs:/([^/]+)')),
                   (SELECT {{LoggedModels.LoggedModelSql.ArtifactUriSql}}
                    FROM {{LoggedModels.LoggedModelSql.From}}
                    WHERE lm.project_id = $1 AND lm.deleted_at IS NULL AND lm.model_id = substring(last.source FROM '^models:/(m-[^/]+)/?$')),
                   last.source),
               last.depth = $4 AND last.source ~ '^models:/[^/]+/[0-9]{1,9}$'
        FROM last
        """;

    /// <returns>The new version, or null when the registered model does not exist.</returns>
    public async Task<ModelVersion?> CreateAsync(
        long projectId, long userId, string name, string source, string? runId, string? runLink, string? description,
        IReadOnlyList<RegisteredModelTag> tags, string? loggedModelId, CancellationToken cancellationToken)
    {
        var now = Timestamps.Now();
        await using var command = dataSource.CreateCommand(CreateSql);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = projectId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = now });
        command.Parameters.Add(Sql.NullableText(description));
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = source });
        command.Parameters.Add(Sql.NullableText(runId));
        command.Parameters.Add(Sql.NullableText(runLink));
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = userId });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. tags.Select(t => t.Key)] });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. tags.Select(t => t.Value)] });
        command.Parameters.Add(Sql.NullableText(loggedModelId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var millis = Timestamps.ToMillis(now);
        return new ModelVersion(name, Sql.Text(reader.GetInt32(0)), millis, millis, Sql.Text(userId), "None", description, source,
            await reader.IsDBNullAsync(1, cancellationToken) ? null : reader.GetString(1), "READY", null, tags, runLink, [], loggedModelId);
    }

    public Task<ModelVersion?> FindAsync(long projectId, string name, int version, CancellationToken cancellationToken) =>
        ReadAsync(
            $"SELECT {ModelVersionSql.Json} FROM ml_model_versions v JOIN ml_models m ON m.id = v.model_id WHERE {VersionWhere}",
            projectId, name, version, [], cancellationToken);

    public Task<ModelVersion?> UpdateDescriptionAsync(long projectId, string name, int version, string? description, CancellationToken cancellationToken) =>
        ReadAsync(
            $"""
            WITH updated AS (
                UPDATE ml_model_versions v SET description = $4, updated_at = $5
                FROM ml_models m WHERE m.id = v.model_id AND {VersionWhere}
                RETURNING v.*
            )
            SELECT {ModelVersionSql.Json} FROM updated v JOIN ml_models m ON m.id = v.model_id
            """,
            projectId, name, version, [Sql.NullableText(description), new NpgsqlParameter<DateTime> { TypedValue = Timestamps.Now() }],
            cancellationToken);

    /// <summary>Deletes the version with its tags and the aliases that point at it (cascades); bumps the model's timestamp.</summary>
    public Task<bool> DeleteAsync(long projectId, string name, int version, CancellationToken cancellationToken) =>
        CountAsync(
            $"""
            WITH deleted AS (
                DELETE FROM ml_model_versions v USING ml_models m WHERE m.id = v.model_id AND {VersionWhere} RETURNING v.model_id
            ), touched AS (
                UPDATE ml_models SET updated_at = $4 WHERE id IN (SELECT model_id FROM deleted)
            )
            SELECT count(*) FROM deleted
            """,
            projectId, name, version, [new NpgsqlParameter<DateTime> { TypedValue = Timestamps.Now() }], cancellationToken);

    /// <returns>false when the version does not exist.</returns>
    public Task<bool> SetTagAsync(long projectId, string name, int version, string key, string value, CancellationToken cancellationToken) =>
        CountAsync(
            $"""
            WITH target AS (
                SELECT v.id FROM ml_model_versions v JOIN ml_models m ON m.id = v.model_id WHERE {VersionWhere} FOR KEY SHARE OF v
            ), tag AS (
                INSERT INTO ml_model_version_metadata (model_version_id, name, value, created_at, updated_at)
                SELECT id, $4, $5, $6, $6 FROM target
                ON CONFLICT (model_version_id, name) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at
            )
            SELECT count(*) FROM target
            """,
            projectId, name, version,
            [new NpgsqlParameter<string> { TypedValue = key }, new NpgsqlParameter<string> { TypedValue = value },
             new NpgsqlParameter<DateTime> { TypedValue = Timestamps.Now() }],
            cancellationToken);

    /// <returns>false when the version does not exist; a missing tag is not an error (as in MLflow).</returns>
    public Task<bool> DeleteTagAsync(long projectId, string name, int version, string key, CancellationToken cancellationToken) =>
        CountAsync(
            $"""
            WITH target AS (
                SELECT v.id FROM ml_model_versions v JOIN ml_models m ON m.id = v.model_id WHERE {VersionWhere}
            ), tag AS (
                DELETE FROM ml_model_version_metadata t USING target WHERE t.model_version_id = target.id AND t.name = $4
            )
            SELECT count(*) FROM target
            """,
            projectId, name, version, [new NpgsqlParameter<string> { TypedValue = key }], cancellationToken);

    /// <returns>Where the version's files are, or null when the version does not exist.</returns>
    public async Task<DownloadUri?> ResolveDownloadUriAsync(long projectId, string name, int version, CancellationToken cancellationToken)
    {
        await using var command = Command(ResolveDownloadUriSql, projectId, name, version, [new NpgsqlParameter<int> { TypedValue = MaxCopyDepth }]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new DownloadUri(reader.GetString(0), reader.GetBoolean(1)) : null;
    }

    private async Task<ModelVersion?> ReadAsync(string sql, long projectId, string name, int version, NpgsqlParameter[] more, CancellationToken cancellationToken)
    {
        await using var command = Command(sql, projectId, name, version, more);
        return await ModelVersionSql.ReadOneAsync(command, cancellationToken);
    }

    private async Task<bool> CountAsync(string sql, long projectId, string name, int version, NpgsqlParameter[] more, CancellationToken cancellationToken)
    {
        await using var command = Command(sql, projectId, name, version, more);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))! > 0;
    }

    private NpgsqlCommand Command(string sql, long projectId, string name, int version, NpgsqlParameter[] more)
    {
        var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = projectId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = version });
        command.Parameters.AddRange(more);
        return command;
    }
}

/// <param name="Unresolved">The chain of copies did not end within <see cref="ModelVersionStore.MaxCopyDepth"/> hops.</param>
internal sealed record DownloadUri(string Uri, bool Unresolved);
