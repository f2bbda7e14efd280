using Npgsql;

namespace Registry.Api.Mlflow.Sql;

public static class SqlBatches
{
    /// <summary>Adds a statement with the parameters its text was built with.</summary>
    public static NpgsqlBatch Add(this NpgsqlBatch batch, string sql, SqlParameters parameters)
    {
        batch.BatchCommands.Add(parameters.Command(sql));
        return batch;
    }
}
