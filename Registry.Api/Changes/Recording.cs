using Npgsql;
using Registry.Api.Mlflow.Sql;

namespace Registry.Api.Changes;

/// <summary>
/// How a write records itself in its own transaction. Its batch starts with <see cref="CreateRecordedBatch"/>, which tells
/// the database who is writing; its statement then adds <see cref="AuditSql"/> and <see cref="WebhookEventSql"/> CTEs
/// that insert the audit row and the webhook events from the rows it changed. One round trip, one implicit
/// transaction: the records exist if and only if the change committed.
/// </summary>
internal static class Recording
{
    /// <summary>A batch whose first command (no result set) names <see cref="Actor.Current"/> for the rest of its transaction.</summary>
    public static NpgsqlBatch CreateRecordedBatch(this NpgsqlDataSource dataSource)
    {
        var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(ActAs(Actor.Current));
        return batch;
    }

    /// <summary>For work on a connection of its own (an explicit transaction): run it first.</summary>
    public static NpgsqlBatchCommand ActAs(Actor? actor)
    {
        var sql = new SqlParameters();
        return sql.Command($"CALL registry_act_as({sql.Add(actor?.ToJson() ?? "{}")}::jsonb)");
    }
}
