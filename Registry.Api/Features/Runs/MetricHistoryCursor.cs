using Npgsql;
using Registry.Api.Mlflow.Sql;

namespace Registry.Api.Features.Runs;

/// <summary>One page of a metric's history as it comes from the database, positioned on its first row.</summary>
internal sealed class MetricHistoryCursor(NpgsqlCommand command, NpgsqlDataReader reader, string query) : IAsyncDisposable
{
    private bool _positioned = true;

    /// <summary>What page tokens of this history are bound to.</summary>
    public string Query => query;

    /// <summary>A ValueTask: a page reads up to 25,000 points, nearly all already buffered, and a Task would be one allocation each.</summary>
    public async ValueTask<(double Value, long Timestamp, long Step)?> NextAsync(CancellationToken cancellationToken)
    {
        if (!_positioned && !await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        _positioned = false;
        return reader.IsDBNull(MetricPointColumns.Value) ? null : (reader.GetDouble(MetricPointColumns.Value), reader.GetInt64(MetricPointColumns.Timestamp), reader.GetInt64(MetricPointColumns.Step));
    }

    public async ValueTask DisposeAsync()
    {
        await reader.DisposeAsync();
        await command.DisposeAsync();
    }
}

/// <summary>The columns of a metric point, unqualified, as the history and bulk-interval queries select and read them.</summary>
internal static class MetricPointColumns
{
    private static readonly SqlColumns Select = new();
    public static readonly int Value = Select.Add("value");
    public static readonly int Timestamp = Select.Add("timestamp");
    public static readonly int Step = Select.Add("step");

    public static string Sql => Select.Sql;

    /// <summary>The ordinal of a column selected after the point's.</summary>
    public static int Count => Select.Count;
}
