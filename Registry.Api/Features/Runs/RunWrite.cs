using Npgsql;
using Registry.Api.Changes;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Sql;
using Registry.Api.Mlflow.Tracking;

namespace Registry.Api.Features.Runs;

/// <summary>
/// The one shape of every write to a run: find it in the project (<see cref="Project"/>, <see cref="Run"/>), write only
/// when it is live (CTEs read <c>live</c>), and report whether it was found and live, so that a missing run and a deleted
/// one get MLflow's different errors without a second round trip. The whole statement is one transaction. It locks the run
/// first (KEY SHARE, what its children's foreign keys and the points' trigger take later anyway): a concurrent deletion of
/// the run then either waits for the write or makes it find no run, and never holds the run while waiting for rows the
/// write already holds (a deadlock, one side's request failing). An audited write
/// (its CTEs insert an audit row) runs in a recorded batch, so the row names its actor; metric, param and input ingestion
/// is not audited (README, Audit events) and skips that. The writes add their own parameters to <see cref="Sql"/>.
/// </summary>
internal sealed class RunWrite
{
    private static readonly SqlColumns Select = new();
    private static readonly int RunsFound = Select.Add("(SELECT count(*) FROM r)");
    private static readonly int LiveRunsFound = Select.Add("(SELECT count(*) FROM live)");
    private static readonly int WriteResult = Select.Count;

    private readonly string _runId;

    public RunWrite(long projectId, string runId)
    {
        _runId = runId;
        Project = Sql.Add(projectId);
        Run = Sql.Add(runId);
    }

    public SqlParameters Sql { get; } = new();

    /// <summary>The placeholder of the project's id.</summary>
    public string Project { get; }

    /// <summary>The placeholder of the run's id (MLflow's, text).</summary>
    public string Run { get; }

    /// <param name="writes">CTEs after <c>r</c> and <c>live</c>, or empty.</param>
    /// <param name="result">SQL text the write answers with, or null.</param>
    /// <returns>The result, or the error the request ends with.</returns>
    public async Task<Outcome<string?>> ExecuteAsync(
        NpgsqlDataSource dataSource, string writes, string? result, CancellationToken cancellationToken, bool audited = false)
    {
        var text =
            $"""
            WITH r AS (
                SELECT r.id, r.deleted_at IS NOT NULL AS deleted FROM ml_candidates r WHERE r.project_id = {Project} AND r.run_id = {Run}
                FOR KEY SHARE
            ), live AS (
                SELECT id FROM r WHERE NOT deleted
            ){(writes.Length > 0 ? "," : "")}
            {writes}
            SELECT {Select.Sql}, {result ?? "NULL::text"}
            """;
        await using var batch = (audited ? dataSource.CreateRecordedBatch() : dataSource.CreateBatch()).Add(text, Sql);
        try
        {
            // The reader skips the recorded batch's first command, which returns no rows.
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            if (reader.GetInt64(RunsFound) == 0)
            {
                return RunSql.NotFound(_runId);
            }
            if (reader.GetInt64(LiveRunsFound) == 0)
            {
                return RunSql.NotActive(_runId);
            }
            return reader.IsDBNull(WriteResult) ? Outcome<string?>.Of(null) : reader.GetString(WriteResult);
        }
        catch (PostgresException e) when (e.SqlState == SqlStates.Rejected)
        {
            return MlflowError.InvalidParameterValue(e.MessageText);
        }
        catch (PostgresException e) when (e.SqlState == SqlStates.Missing)
        {
            return MlflowError.ResourceDoesNotExist(e.MessageText);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidTextRepresentation)
        {
            // A stored tag that should hold JSON (ReservedKeys.LogModelHistory) was overwritten with something else.
            return MlflowError.InvalidParameterValue($"Cannot update run {_runId}: {e.MessageText}.");
        }
    }

    /// <summary><see cref="ExecuteAsync"/> for a write that answers nothing but success.</summary>
    public async Task<Outcome<Done>> WriteAsync(
        NpgsqlDataSource dataSource, string writes, string? result, CancellationToken cancellationToken, bool audited = false) =>
        (await ExecuteAsync(dataSource, writes, result, cancellationToken, audited)).Error is { } error ? error : new Done();
}
