using Npgsql;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Search;

namespace Registry.Api.Features.Runs;

/// <summary>
/// Every logged point of a metric, in (step, timestamp, value) order, paged by keyset on the points' unique index: each page
/// is one index range scan.
/// </summary>
internal sealed class MetricHistoryStore(NpgsqlDataSource dataSource)
{
    public const int MaxPage = 25_000;

    /// <summary>Opens one page of a metric's history; throws RESOURCE_DOES_NOT_EXIST when the run is not in the project.</summary>
    public async Task<MetricHistoryCursor> OpenHistoryAsync(
        long projectId, string runId, string key, int maxResults, string? pageToken, CancellationToken cancellationToken)
    {
        var query = $"{runId}\n{key}";
        // The last point served: its step, timestamp and value (as the double's bits, which survive JSON even for NaN).
        var after = PageToken.Decode(pageToken, query, [typeof(long), typeof(long), typeof(long)]);
        var command = dataSource.CreateCommand(
            $"""
            WITH r AS (
                SELECT id FROM ml_candidates WHERE project_id = $1 AND run_id = $2
            )
            SELECT m.value, m.timestamp, m.step FROM r LEFT JOIN LATERAL (
                SELECT value, timestamp, step FROM ml_candidate_metrics m
                WHERE m.candidate_id = r.id AND m.name = $3 {(after is null ? "" : "AND (m.step, m.timestamp, m.value) > ($5, $6, $7)")}
                ORDER BY m.step, m.timestamp, m.value LIMIT $4
            ) m ON true
            """);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = projectId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = runId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = maxResults + 1 });
        if (after is not null)
        {
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = (long)after[0] });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = (long)after[1] });
            command.Parameters.Add(new NpgsqlParameter<double> { TypedValue = BitConverter.Int64BitsToDouble((long)after[2]) });
        }
        NpgsqlDataReader? reader = null;
        try
        {
            reader = await command.ExecuteReaderAsync(cancellationToken);
            // The run's row comes first (with no point when the metric has none); no row at all means no such run.
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw new MlflowException(RunSql.NotFound(runId));
            }
            return new MetricHistoryCursor(command, reader, query);
        }
        catch
        {
            // Until the cursor owns them, the reader and its connection are ours to give back.
            if (reader is not null)
            {
                await reader.DisposeAsync();
            }
            await command.DisposeAsync();
            throw;
        }
    }

    /// <summary>Several runs' points between two steps, at most <paramref name="maxResults"/> per run, evenly spread over the steps.</summary>
    public async Task<IReadOnlyList<MetricWithRunId>> BulkIntervalAsync(
        long projectId, string[] runIds, string key, long? startStep, long? endStep, int maxResults, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            WITH runs AS (
                SELECT id, run_id FROM ml_candidates WHERE project_id = $1 AND run_id = ANY($2)
            ), points AS (
                SELECT runs.run_id, m.value, m.timestamp, m.step,
                       row_number() OVER (PARTITION BY m.candidate_id ORDER BY m.step, m.timestamp, m.value) AS n,
                       count(*) OVER (PARTITION BY m.candidate_id) AS total
                FROM runs JOIN ml_candidate_metrics m ON m.candidate_id = runs.id AND m.name = $3
                WHERE ($4::bigint IS NULL OR m.step >= $4) AND ($5::bigint IS NULL OR m.step <= $5)
            )
            SELECT run_id, value, timestamp, step FROM points
            WHERE total <= $6 OR (n - 1) % ceil(total::numeric / $6)::bigint = 0 OR n = total
            ORDER BY run_id, step, timestamp, value
            """);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = projectId });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = runIds });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)startStep ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)endStep ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = maxResults });
        var points = new List<MetricWithRunId>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            points.Add(new MetricWithRunId(key, reader.GetDouble(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetString(0)));
        }
        return points;
    }
}
