using Npgsql;
using Registry.Api.Changes;
using Registry.Api.Mlflow;

namespace Registry.Api.Features.Runs;

/// <summary>
/// The one shape of every write to a run: find it in the project (<c>$1</c>, <c>$2</c> = run id), write only when it is
/// live (CTEs read <c>live</c>), and report whether it was found and live, so that a missing run and a deleted one
/// get MLflow's different errors without a second round trip. The whole statement is one transaction. An audited write
/// (its CTEs insert an audit row) runs in a recorded batch, so the row names its actor; metric, param and input ingestion
/// is not audited (README, Audit events) and skips that.
/// </summary>
internal static class RunWrite
{
    /// <summary>SQLSTATE raised by registry_fail(); the message is for the client (see the Tracking migration).</summary>
    public const string RejectedState = "RG400";

    /// <summary>SQLSTATE raised by registry_missing(): the write names something the project does not have (404).</summary>
    public const string MissingState = "RG404";

    public static async Task<string?> ExecuteAsync(
        NpgsqlDataSource dataSource, long projectId, string runId, string writes, string? result, NpgsqlParameter[] parameters, CancellationToken cancellationToken,
        bool audited = false)
    {
        var sql =
            $"""
            WITH r AS (
                SELECT r.id, r.deleted_at IS NOT NULL AS deleted FROM ml_candidates r WHERE r.project_id = $1 AND r.run_id = $2
            ), live AS (
                SELECT id FROM r WHERE NOT deleted
            ){(writes.Length > 0 ? "," : "")}
            {writes}
            SELECT (SELECT count(*) FROM r), (SELECT count(*) FROM live), {result ?? "NULL::text"}
            """;
        await using var batch = (audited ? dataSource.CreateRecordedBatch() : dataSource.CreateBatch()).Add(sql,
            [new NpgsqlParameter<long> { TypedValue = projectId }, new NpgsqlParameter<string> { TypedValue = runId }, .. parameters]);
        try
        {
            // The reader skips the recorded batch's first command, which returns no rows.
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            if (reader.GetInt64(0) == 0)
            {
                throw new MlflowException(RunSql.NotFound(runId));
            }
            if (reader.GetInt64(1) == 0)
            {
                throw new MlflowException(RunSql.NotActive(runId));
            }
            return reader.IsDBNull(2) ? null : reader.GetString(2);
        }
        catch (PostgresException e) when (e.SqlState == RejectedState)
        {
            throw new MlflowException(MlflowError.InvalidParameterValue(e.MessageText));
        }
        catch (PostgresException e) when (e.SqlState == MissingState)
        {
            throw new MlflowException(MlflowError.ResourceDoesNotExist(e.MessageText));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidTextRepresentation)
        {
            // A stored tag that should hold JSON (mlflow.log-model.history) was overwritten with something else.
            throw new MlflowException(MlflowError.InvalidParameterValue($"Cannot update run {runId}: {e.MessageText}."));
        }
    }
}
