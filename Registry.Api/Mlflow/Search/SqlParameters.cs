using Npgsql;

namespace Registry.Api.Mlflow.Search;

/// <summary>Collects positional parameters while SQL text is built, so values never enter the text.</summary>
public sealed class SqlParameters
{
    private readonly List<NpgsqlParameter> _parameters = [];

    /// <returns>The placeholder (<c>$n</c>) to write into the SQL text.</returns>
    public string Add<T>(T value)
    {
        _parameters.Add(new NpgsqlParameter<T> { TypedValue = value });
        return $"${_parameters.Count}";
    }

    public void CopyTo(NpgsqlBatchCommand command) => command.Parameters.AddRange(_parameters.ToArray());
}
