using Npgsql;
using Registry.Api.Mlflow;

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
    private const string LogWrites =
        """
        metric_input AS (
            SELECT * FROM unnest($3::text[], $4::float8[], $5::int8[], $6::int8[], $11::text[], $12::text[], $13::text[])
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
            CROSS JOIN LATERAL (SELECT id FROM ml_logged_models WHERE model_id = m.model_id AND project_id = $1 LIMIT 1) lm
            WHERE m.model_id IS NOT NULL
            ON CONFLICT (logged_model_id, name, step, timestamp, value, candidate_id) DO NOTHING
        ), latest AS (
            INSERT INTO ml_candidate_latest_metrics (candidate_id, name, value, timestamp, step)
            SELECT DISTINCT ON (m.key) live.id, m.key, m.value, m.ts, m.step FROM live, metric_input m
            ORDER BY m.key, m.step DESC, m.ts DESC, m.value DESC
            ON CONFLICT (candidate_id, name) DO UPDATE SET value = EXCLUDED.value, timestamp = EXCLUDED.timestamp, step = EXCLUDED.step
            WHERE (EXCLUDED.step, EXCLUDED.timestamp, EXCLUDED.value)
                > (ml_candidate_latest_metrics.step, ml_candidate_latest_metrics.timestamp, ml_candidate_latest_metrics.value)
        ), params AS (
            INSERT INTO ml_candidate_params (candidate_id, name, value)
            SELECT live.id, p.key, p.value FROM live, unnest($7::text[], $8::text[]) AS p(key, value)
            ON CONFLICT (candidate_id, name) DO UPDATE SET value = ml_candidate_params.value
            WHERE ml_candidate_params.value <> EXCLUDED.value
            RETURNING name, xmax <> 0 AS conflicted
        ), tags AS (
            INSERT INTO ml_candidate_metadata (candidate_id, name, value)
            SELECT live.id, t.key, t.value FROM live, unnest($9::text[], $10::text[]) AS t(key, value)
            ON CONFLICT (candidate_id, name) DO UPDATE SET value = EXCLUDED.value
        ), renamed AS (
            UPDATE ml_candidates r SET name = t.value FROM live, unnest($9::text[], $10::text[]) AS t(key, value)
            WHERE r.id = live.id AND t.key = 'mlflow.runName'
        )
        """;

    private const string ParamConflictOrMissingModel =
        $"""
        COALESCE(
            (SELECT registry_fail('Changing param values is not allowed. Already logged with a different value: ' || string_agg(name, ', ' ORDER BY name))
             FROM params WHERE conflicted HAVING count(*) > 0),
            (SELECT {MissingModel} FROM metric_input m
             WHERE m.model_id IS NOT NULL AND EXISTS (SELECT 1 FROM live)
               AND NOT EXISTS (SELECT 1 FROM ml_logged_models lm WHERE lm.project_id = $1 AND lm.model_id = m.model_id) LIMIT 1))
        """;

    /// <summary>MLflow's message for a logged model id <c>m.model_id</c> that is not there.</summary>
    private const string MissingModel = "registry_missing('Logged model with ID ''' || m.model_id || ''' not found.')";

    public Task LogAsync(
        long projectId, string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<KeyValue> parameters, IReadOnlyList<KeyValue> tags, CancellationToken cancellationToken) =>
        RunWrite.ExecuteAsync(dataSource, projectId, runId, LogWrites, ParamConflictOrMissingModel,
            [
                new NpgsqlParameter<string[]> { TypedValue = [.. metrics.Select(m => m.Key)] },
                new NpgsqlParameter<double[]> { TypedValue = [.. metrics.Select(m => m.Value)] },
                new NpgsqlParameter<long[]> { TypedValue = [.. metrics.Select(m => m.Timestamp)] },
                new NpgsqlParameter<long[]> { TypedValue = [.. metrics.Select(m => m.Step)] },
                new NpgsqlParameter<string[]> { TypedValue = [.. parameters.Select(p => p.Key)] },
                new NpgsqlParameter<string[]> { TypedValue = [.. parameters.Select(p => p.Value)] },
                new NpgsqlParameter<string[]> { TypedValue = [.. tags.Select(t => t.Key)] },
                new NpgsqlParameter<string[]> { TypedValue = [.. tags.Select(t => t.Value)] },
                new NpgsqlParameter<string?[]> { TypedValue = [.. metrics.Select(m => m.ModelId)] },
                new NpgsqlParameter<string?[]> { TypedValue = [.. metrics.Select(m => m.DatasetName)] },
                new NpgsqlParameter<string?[]> { TypedValue = [.. metrics.Select(m => m.DatasetDigest)] },
            ],
            cancellationToken);

    /// <returns>false when the run has no such tag (MLflow answers RESOURCE_DOES_NOT_EXIST).</returns>
    public async Task<bool> DeleteTagAsync(long projectId, string runId, string key, CancellationToken cancellationToken)
    {
        var deleted = await RunWrite.ExecuteAsync(dataSource, projectId, runId,
            "deleted AS (DELETE FROM ml_candidate_metadata t USING live WHERE t.candidate_id = live.id AND t.name = $3 RETURNING 1)",
            "(SELECT count(*)::text FROM deleted)",
            [new NpgsqlParameter<string> { TypedValue = key }], cancellationToken);
        return deleted != "0";
    }

    /// <summary>
    /// Datasets by (name, digest) and logged models by id; logging the same input again is a no-op. A model the project
    /// does not have fails the whole request.
    /// </summary>
    public Task LogInputsAsync(
        long projectId, string runId, IReadOnlyList<(string Name, string Digest, string DatasetJson, string TagsJson)> inputs, IReadOnlyList<string> modelIds,
        CancellationToken cancellationToken) =>
        RunWrite.ExecuteAsync(dataSource, projectId, runId,
            """
            inputs AS (
                INSERT INTO ml_candidate_inputs (candidate_id, name, digest, dataset, tags)
                SELECT live.id, d.name, d.digest, d.dataset::jsonb, d.tags::jsonb
                FROM live, unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS d(name, digest, dataset, tags)
                ON CONFLICT (candidate_id, name, digest) DO NOTHING
            ), model_inputs AS (
                INSERT INTO ml_candidate_model_inputs (candidate_id, logged_model_id)
                SELECT live.id, lm.id FROM live JOIN ml_logged_models lm ON lm.project_id = $1 AND lm.model_id = ANY($7::text[])
                ON CONFLICT DO NOTHING
            )
            """,
            $"""
            (SELECT {MissingModel} FROM unnest($7::text[]) AS m(model_id)
             WHERE EXISTS (SELECT 1 FROM live)
               AND NOT EXISTS (SELECT 1 FROM ml_logged_models lm WHERE lm.project_id = $1 AND lm.model_id = m.model_id) LIMIT 1)
            """,
            [
                new NpgsqlParameter<string[]> { TypedValue = [.. inputs.Select(i => i.Name)] },
                new NpgsqlParameter<string[]> { TypedValue = [.. inputs.Select(i => i.Digest)] },
                new NpgsqlParameter<string[]> { TypedValue = [.. inputs.Select(i => i.DatasetJson)] },
                new NpgsqlParameter<string[]> { TypedValue = [.. inputs.Select(i => i.TagsJson)] },
                new NpgsqlParameter<string[]> { TypedValue = [.. modelIds] },
            ],
            cancellationToken);

    /// <summary>As MLflow does: the model's JSON is appended to the run's mlflow.log-model.history tag.</summary>
    public Task LogModelAsync(long projectId, string runId, string modelJson, CancellationToken cancellationToken) =>
        RunWrite.ExecuteAsync(dataSource, projectId, runId,
            """
            history AS (
                INSERT INTO ml_candidate_metadata (candidate_id, name, value)
                SELECT id, 'mlflow.log-model.history', jsonb_build_array($3::jsonb)::text FROM live
                ON CONFLICT (candidate_id, name) DO UPDATE
                SET value = (ml_candidate_metadata.value::jsonb || jsonb_build_array($3::jsonb))::text
            )
            """,
            null, [new NpgsqlParameter<string> { TypedValue = modelJson }], cancellationToken);
}
