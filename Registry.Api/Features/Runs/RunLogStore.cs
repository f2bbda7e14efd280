using Npgsql;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Tracking;

namespace Registry.Api.Features.Runs;

/// <summary>
/// What runs log: metric points (each distinct point once, plus the latest per key; points with a model id also belong to
/// that logged model), params (write-once), tags, inputs (datasets, logged models), models.
/// </summary>
internal sealed class RunLogStore(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// log-batch, and log-metric / log-parameter / set-tag as batches of one: a single statement, so all or nothing.
    /// A param already logged with another value (even by a concurrent request), or a metric naming a logged model the project
    /// does not have, fails the whole statement. A point logged again (a client retry, or MLflow 3's log_model linking the
    /// run's points to the new model) is stored once: the unique index decides, so concurrent replays cannot duplicate it.
    /// </summary>
    private static (string Writes, string Result) LogSql(
        RunWrite write, IReadOnlyList<Metric> metrics, IReadOnlyList<KeyValue> parameters, IReadOnlyList<KeyValue> tags)
    {
        var sql = write.Sql;
        var (keys, values, timestamps, steps) = (sql.Add<string[]>([.. metrics.Select(m => m.Key)]), sql.Add<double[]>([.. metrics.Select(m => m.Value)]),
            sql.Add<long[]>([.. metrics.Select(m => m.Timestamp)]), sql.Add<long[]>([.. metrics.Select(m => m.Step)]));
        var (paramKeys, paramValues) = (sql.Add<string[]>([.. parameters.Select(p => p.Key)]), sql.Add<string[]>([.. parameters.Select(p => p.Value)]));
        var (tagKeys, tagValues) = (sql.Add<string[]>([.. tags.Select(t => t.Key)]), sql.Add<string[]>([.. tags.Select(t => t.Value)]));
        var (modelIds, datasetNames, datasetDigests) = (sql.Add<string?[]>([.. metrics.Select(m => m.ModelId)]),
            sql.Add<string?[]>([.. metrics.Select(m => m.DatasetName)]), sql.Add<string?[]>([.. metrics.Select(m => m.DatasetDigest)]));
        var writes =
        $"""
        metric_input AS (
            SELECT * FROM unnest({keys}::text[], {values}::float8[], {timestamps}::int8[], {steps}::int8[], {modelIds}::text[], {datasetNames}::text[], {datasetDigests}::text[])
                AS m(key, value, ts, step, model_id, dataset_name, dataset_digest)
        ), points AS (
            INSERT INTO ml_candidate_metrics (candidate_id, name, value, timestamp, step)
            SELECT live.id, m.key, m.value, m.ts, m.step FROM live, metric_input m
            ON CONFLICT (candidate_id, name, step, timestamp, value) DO NOTHING
        ), model_points AS (
            INSERT INTO ml_logged_model_metrics (logged_model_id, candidate_id, name, value, timestamp, step, dataset_name, dataset_digest)
            SELECT lm.id, live.id, m.key, m.value, m.ts, m.step, m.dataset_name, m.dataset_digest
            FROM live, metric_input m
            -- LIMIT keeps this a probe of the model_id index per point that names a model (never a scan of the project's
            -- models); plain points, the usual batch, skip it
            CROSS JOIN LATERAL (SELECT id FROM ml_logged_models WHERE model_id = m.model_id AND project_id = {write.Project} LIMIT 1) lm
            WHERE m.model_id IS NOT NULL
            ON CONFLICT (logged_model_id, name, step, timestamp, value, candidate_id) DO NOTHING
        ), latest AS (
            -- A key whose stored latest point already sorts at or after the batch's is left alone, unlocked: the stored one
            -- only ever moves up, so it still wins at commit. Replays and late writers then do not queue behind each other.
            -- Keys are grouped in byte order: the same groups, without a locale comparison per step of the sort.
            INSERT INTO ml_candidate_latest_metrics (candidate_id, name, value, timestamp, step)
            SELECT * FROM (
                SELECT DISTINCT ON (m.key COLLATE "C") live.id, m.key, m.value, m.ts, m.step FROM live, metric_input m
                ORDER BY m.key COLLATE "C", m.step DESC, m.ts DESC, m.value DESC
            ) newest
            WHERE NOT EXISTS (
                SELECT FROM ml_candidate_latest_metrics stored
                WHERE stored.candidate_id = newest.id AND stored.name = newest.key
                  AND (stored.step, stored.timestamp, stored.value) >= (newest.step, newest.ts, newest.value))
            ON CONFLICT (candidate_id, name) DO UPDATE SET value = EXCLUDED.value, timestamp = EXCLUDED.timestamp, step = EXCLUDED.step
            WHERE (EXCLUDED.step, EXCLUDED.timestamp, EXCLUDED.value)
                > (ml_candidate_latest_metrics.step, ml_candidate_latest_metrics.timestamp, ml_candidate_latest_metrics.value)
        ), params AS (
            INSERT INTO ml_candidate_params (candidate_id, name, value)
            SELECT live.id, p.key, p.value FROM live, unnest({paramKeys}::text[], {paramValues}::text[]) AS p(key, value)
            ON CONFLICT (candidate_id, name) DO UPDATE SET value = ml_candidate_params.value
            WHERE ml_candidate_params.value <> EXCLUDED.value
            RETURNING name, xmax <> 0 AS conflicted
        ), tags AS (
            INSERT INTO ml_candidate_metadata (candidate_id, name, value)
            SELECT live.id, t.key, t.value FROM live, unnest({tagKeys}::text[], {tagValues}::text[]) AS t(key, value)
            ON CONFLICT (candidate_id, name) DO UPDATE SET value = EXCLUDED.value
        ), renamed AS (
            UPDATE ml_candidates r SET name = t.value FROM live, unnest({tagKeys}::text[], {tagValues}::text[]) AS t(key, value)
            WHERE r.id = live.id AND t.key = '{ReservedKeys.RunName}'
        )
        """;
        var result =
            $"""
            COALESCE(
                (SELECT registry_fail('Changing param values is not allowed. Already logged with a different value: ' || string_agg(name, ', ' ORDER BY name))
                 FROM params WHERE conflicted HAVING count(*) > 0),
                (SELECT {MissingModel} FROM metric_input m
                 WHERE m.model_id IS NOT NULL AND EXISTS (SELECT 1 FROM live)
                   AND NOT EXISTS (SELECT 1 FROM ml_logged_models lm WHERE lm.project_id = {write.Project} AND lm.model_id = m.model_id) LIMIT 1))
            """;
        return (writes, result);
    }

    /// <summary>MLflow's message for a logged model id <c>m.model_id</c> that is not there.</summary>
    private const string MissingModel = "registry_missing('Logged model with ID ''' || m.model_id || ''' not found.')";

    public Task<Outcome<Done>> LogAsync(
        long projectId, string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<KeyValue> parameters, IReadOnlyList<KeyValue> tags, CancellationToken cancellationToken)
    {
        var write = new RunWrite(projectId, runId);
        var (writes, result) = LogSql(write, metrics, parameters, tags);
        return write.WriteAsync(dataSource, writes, result, cancellationToken);
    }

    /// <summary>
    /// Datasets by (name, digest) and logged models by id; logging the same input again is a no-op. A model the project
    /// does not have fails the whole request.
    /// </summary>
    public Task<Outcome<Done>> LogInputsAsync(
        long projectId, string runId, IReadOnlyList<(string Name, string Digest, string DatasetJson, string TagsJson)> inputs, IReadOnlyList<string> modelIds,
        CancellationToken cancellationToken)
    {
        var write = new RunWrite(projectId, runId);
        var sql = write.Sql;
        var (names, digests) = (sql.Add<string[]>([.. inputs.Select(i => i.Name)]), sql.Add<string[]>([.. inputs.Select(i => i.Digest)]));
        var (datasets, inputTags) = (sql.Add<string[]>([.. inputs.Select(i => i.DatasetJson)]), sql.Add<string[]>([.. inputs.Select(i => i.TagsJson)]));
        var models = sql.Add<string[]>([.. modelIds]);
        return write.WriteAsync(dataSource,
            $"""
            inputs AS (
                INSERT INTO ml_candidate_inputs (candidate_id, name, digest, dataset, tags)
                SELECT live.id, d.name, d.digest, d.dataset::jsonb, d.tags::jsonb
                FROM live, unnest({names}::text[], {digests}::text[], {datasets}::text[], {inputTags}::text[]) AS d(name, digest, dataset, tags)
                ON CONFLICT (candidate_id, name, digest) DO NOTHING
            ), model_inputs AS (
                INSERT INTO ml_candidate_model_inputs (candidate_id, logged_model_id)
                SELECT live.id, lm.id FROM live JOIN ml_logged_models lm ON lm.project_id = {write.Project} AND lm.model_id = ANY({models}::text[])
                ON CONFLICT DO NOTHING
            )
            """,
            $"""
            (SELECT {MissingModel} FROM unnest({models}::text[]) AS m(model_id)
             WHERE EXISTS (SELECT 1 FROM live)
               AND NOT EXISTS (SELECT 1 FROM ml_logged_models lm WHERE lm.project_id = {write.Project} AND lm.model_id = m.model_id) LIMIT 1)
            """,
            cancellationToken);
    }

    /// <summary>As MLflow does: the model's JSON is appended to the run's mlflow.log-model.history tag.</summary>
    public Task<Outcome<Done>> LogModelAsync(long projectId, string runId, string modelJson, CancellationToken cancellationToken)
    {
        var write = new RunWrite(projectId, runId);
        var model = write.Sql.Add(modelJson);
        return write.WriteAsync(dataSource,
            $"""
            history AS (
                INSERT INTO ml_candidate_metadata (candidate_id, name, value)
                SELECT id, '{ReservedKeys.LogModelHistory}', jsonb_build_array({model}::jsonb)::text FROM live
                ON CONFLICT (candidate_id, name) DO UPDATE
                SET value = (ml_candidate_metadata.value::jsonb || jsonb_build_array({model}::jsonb))::text
            )
            """,
            null, cancellationToken);
    }
}
