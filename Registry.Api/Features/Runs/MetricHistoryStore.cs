using Npgsql;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Search;
using Registry.Api.Mlflow.Sql;

namespace Registry.Api.Features.Runs;

/// <summary>
/// Every logged point of a metric, in (step, timestamp, value) order, paged by keyset on the points' unique index: each page
/// is one index range scan.
/// </summary>
internal sealed class MetricHistoryStore(NpgsqlDataSource dataSource)
{
    public const int MaxPage = 25_000;

    /// <summary>Opens one page of a metric's history; RESOURCE_DOES_NOT_EXIST when the run is not in the project.</summary>
    public async Task<Outcome<MetricHistoryCursor>> OpenHistoryAsync(
        long projectId, string runId, string key, int maxResults, string? pageToken, CancellationToken cancellationToken)
    {
        var query = $"{runId}\n{key}";
        // The last point served: its step, timestamp and value (as the double's bits, which survive JSON even for NaN).
        var after = PageToken.Decode(pageToken, query, [typeof(long), typeof(long), typeof(long)]);
        var sql = new SqlParameters();
        var (project, run, metric, limit) = (sql.Add(projectId), sql.Add(runId), sql.Add(key), sql.Add(maxResults + 1));
        var afterPoint = after is null ? "" :
            $"AND (m.step, m.timestamp, m.value) > ({sql.Add((long)after[0])}, {sql.Add((long)after[1])}, {sql.Add(BitConverter.Int64BitsToDouble((long)after[2]))})";
        var command = sql.Command(dataSource,
            $"""
            WITH r AS (
                SELECT id FROM ml_candidates WHERE project_id = {project} AND run_id = {run}
            )
            SELECT {MetricPointColumns.Sql} FROM r LEFT JOIN LATERAL (
                SELECT value, timestamp, step FROM ml_candidate_metrics m
                WHERE m.candidate_id = r.id AND m.name = {metric} {afterPoint}
                ORDER BY m.step, m.timestamp, m.value LIMIT {limit}
            ) m ON true
            """);
        NpgsqlDataReader? reader = null;
        try
        {
            reader = await command.ExecuteReaderAsync(cancellationToken);
            // The run's row comes first (with no point when the metric has none); no row at all means no such run.
            if (!await reader.ReadAsync(cancellationToken))
            {
                await reader.DisposeAsync();
                await command.DisposeAsync();
                return RunSql.NotFound(runId);
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
        var sql = new SqlParameters();
        var (project, runs, metric, start, end, perRun) =
            (sql.Add(projectId), sql.Add(runIds), sql.Add(key), sql.Add(startStep), sql.Add(endStep), sql.Add(maxResults));
        await using var command = sql.Command(dataSource,
            $"""
            WITH runs AS (
                SELECT id, run_id FROM ml_candidates WHERE project_id = {project} AND run_id = ANY({runs})
            ), points AS (
                SELECT runs.run_id, m.value, m.timestamp, m.step,
                       row_number() OVER (PARTITION BY m.candidate_id ORDER BY m.step, m.timestamp, m.value) AS n,
                       count(*) OVER (PARTITION BY m.candidate_id) AS total
                FROM runs JOIN ml_candidate_metrics m ON m.candidate_id = runs.id AND m.name = {metric}
                WHERE ({start}::bigint IS NULL OR m.step >= {start}) AND ({end}::bigint IS NULL OR m.step <= {end})
            )
            SELECT {MetricPointColumns.Sql}, run_id FROM points
            WHERE total <= {perRun} OR (n - 1) % ceil(total::numeric / {perRun})::bigint = 0 OR n = total
            ORDER BY run_id, step, timestamp, value
            """);
        var points = new List<MetricWithRunId>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            points.Add(new MetricWithRunId(key, reader.GetDouble(MetricPointColumns.Value), reader.GetInt64(MetricPointColumns.Timestamp), reader.GetInt64(MetricPointColumns.Step), reader.GetString(MetricPointColumns.Count)));
        }
        return points;
    }
}
