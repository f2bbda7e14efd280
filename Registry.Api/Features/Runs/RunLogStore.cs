using Npgsql;
using Registry.Api.Mlflow;

namespace Registry.Api.Features.Runs;

/// <summary>What runs log: metrics (every point, plus the latest per key), params (write-once), tags, datasets, models.</summary>
internal sealed class RunLogStore(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// log-batch, and log-metric / log-parameter / set-tag as batches of one: a single statement, so all or nothing.
    /// A param already logged with another value (even by a concurrent request) fails the whole statement.
    /// </summary>
    private const string LogWrites =
        """
        metric_input AS (
            SELECT * FROM unnest($3::text[], $4::float8[], $5::int8[], $6::int8[]) AS m(key, value, ts, step)
        ), points AS (
            INSERT INTO ml_candidate_metrics (candidate_id, name, value, timestamp, step)
            SELECT live.id, m.key, m.value, m.ts, m.step FROM live, metric_input m
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

    private const string ParamConflict =
        """
        (SELECT registry_fail('Changing param values is not allowed. Already logged with a different value: ' || string_agg(name, ', ' ORDER BY name))
         FROM params WHERE conflicted HAVING count(*) > 0)
        """;

    public Task LogAsync(
        long projectId, string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<KeyValue> parameters, IReadOnlyList<KeyValue> tags, CancellationToken cancellationToken) =>
        RunWrite.ExecuteAsync(dataSource, projectId, runId, LogWrites, ParamConflict,
            [
                new NpgsqlParameter<string[]> { TypedValue = [.. metrics.Select(m => m.Key)] },
                new NpgsqlParameter<double[]> { TypedValue = [.. metrics.Select(m => m.Value)] },
                new NpgsqlParameter<long[]> { TypedValue = [.. metrics.Select(m => m.Timestamp)] },
                new NpgsqlParameter<long[]> { TypedValue = [.. metrics.Select(m => m.Step)] },
                new NpgsqlParameter<string[]> { TypedValue = [.. parameters.Select(p => p.Key)] },
                new NpgsqlParameter<string[]> { TypedValue = [.. parameters.Select(p => p.Value)] },
                new NpgsqlParameter<string[]> { TypedValue = [.. tags.Select(t => t.Key)] },
                new NpgsqlParameter<string[]> { TypedValue = [.. tags.Select(t => t.Value)] },
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

    /// <summary>Datasets by (name, digest); logging the same dataset again is a no-op.</summary>
    public Task LogInputsAsync(long projectId, string runId, IReadOnlyList<(string Name, string Digest, string DatasetJson, string TagsJson)> inputs, CancellationToken cancellationToken) =>
        RunWrite.ExecuteAsync(dataSource, projectId, runId,
            """
            inputs AS (
                INSERT INTO ml_candidate_inputs (candidate_id, name, digest, dataset, tags)
                SELECT live.id, d.name, d.digest, d.dataset::jsonb, d.tags::jsonb
                FROM live, unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS d(name, digest, dataset, tags)
                ON CONFLICT (candidate_id, name, digest) DO NOTHING
            )
            """,
            null,
            [
                new NpgsqlParameter<string[]> { TypedValue = [.. inputs.Select(i => i.Name)] },
                new NpgsqlParameter<string[]> { TypedValue = [.. inputs.Select(i => i.Digest)] },
                new NpgsqlParameter<string[]> { TypedValue = [.. inputs.Select(i => i.DatasetJson)] },
                new NpgsqlParameter<string[]> { TypedValue = [.. inputs.Select(i => i.TagsJson)] },
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
