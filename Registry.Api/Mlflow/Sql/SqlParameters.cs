using Npgsql;

namespace Registry.Api.Mlflow.Sql;

/// <summary>
/// One statement's parameters, added where its SQL text uses them: <see cref="Add{T}"/> returns the placeholder to write
/// into the text, so no position is kept in step by hand and values never enter the text. The text depends only on
/// the order of the calls, never on the values, so each shape of statement has one text (Npgsql prepares by text).
/// </summary>
public sealed class SqlParameters
{
    private readonly List<NpgsqlParameter> _parameters = [];

    /// <returns>The placeholder (<c>$n</c>) to write into the SQL text; a placeholder used twice is one parameter.</returns>
    public string Add<T>(T value)
    {
        _parameters.Add(new NpgsqlParameter<T> { TypedValue = value });
        return $"${_parameters.Count}";
    }

    public IReadOnlyList<NpgsqlParameter> Values => _parameters;

    public void CopyTo(NpgsqlBatchCommand command) => command.Parameters.AddRange(_parameters.ToArray());

    public NpgsqlBatchCommand Command(string sql)
    {
        var command = new NpgsqlBatchCommand(sql);
        CopyTo(command);
        return command;
    }

    public NpgsqlCommand Command(NpgsqlDataSource dataSource, string sql)
    {
        var command = dataSource.CreateCommand(sql);
        command.Parameters.AddRange(_parameters.ToArray());
        return command;
    }
}
