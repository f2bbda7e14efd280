using Npgsql;
using Registry.Api.Mlflow.Sql;

namespace Registry.Api.Mlflow.Search;

/// <summary>
/// Every statement is prepared (Npgsql auto-prepare; see DatabaseDefaults), and after a few runs PostgreSQL may switch a
/// prepared statement to a generic plan. For a search that plan cannot use <c>name LIKE 'prefix%'</c> or a partial
/// index's predicate (bench/README.md, "What moved the numbers"). So searches force custom plans, for their own
/// (implicit) transaction only; the hot paths keep their cached plans.
/// </summary>
public static class CustomPlans
{
    private const string Force = "SELECT set_config('plan_cache_mode', 'force_custom_plan', true)";

    /// <summary>A batch (one round trip, one implicit transaction) that forces custom plans, then runs <paramref name="sql"/>.</summary>
    public static NpgsqlBatch Batch(NpgsqlDataSource dataSource, string sql, SqlParameters parameters, params NpgsqlBatchCommand[] before)
    {
        var batch = dataSource.CreateBatch();
        foreach (var command in before)
        {
            batch.BatchCommands.Add(command);
        }
        batch.BatchCommands.Add(new NpgsqlBatchCommand(Force));
        var query = new NpgsqlBatchCommand(sql);
        parameters.CopyTo(query);
        batch.BatchCommands.Add(query);
        return batch;
    }

    /// <summary>Reads the batch's last result. Statements that return no rows are skipped by the reader; set_config returns one.</summary>
    public static async Task<NpgsqlDataReader> ReadAsync(NpgsqlBatch batch, CancellationToken cancellationToken)
    {
        var reader = await batch.ExecuteReaderAsync(cancellationToken);
        try
        {
            await reader.NextResultAsync(cancellationToken);
            return reader;
        }
        catch
        {
            // The reader holds the data source's connection: a search that failed here (a bad pattern, a client gone)
            // and was not disposed would keep it until the pool ran dry.
            await reader.DisposeAsync();
            throw;
        }
    }
}
