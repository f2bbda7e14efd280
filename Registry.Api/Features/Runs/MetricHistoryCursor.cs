using Npgsql;

namespace Registry.Api.Features.Runs;

/// <summary>One page of a metric's history as it comes from the database, positioned on its first row.</summary>
internal sealed class MetricHistoryCursor(NpgsqlCommand command, NpgsqlDataReader reader, string query) : IAsyncDisposable
{
    private bool _positioned = true;

    /// <summary>What page tokens of this history are bound to.</summary>
    public string Query => query;

    public async Task<(double Value, long Timestamp, long Step)?> NextAsync(CancellationToken cancellationToken)
    {
        if (!_positioned && !await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        _positioned = false;
        return reader.IsDBNull(0) ? null : (reader.GetDouble(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    public async ValueTask DisposeAsync()
    {
        await reader.DisposeAsync();
        await command.DisposeAsync();
    }
}
