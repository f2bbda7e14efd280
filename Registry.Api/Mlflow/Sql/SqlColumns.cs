namespace Registry.Api.Mlflow.Sql;

/// <summary>
/// A SELECT list whose readers cannot drift from it: <see cref="Add"/> appends a column and returns the ordinal a reader
/// reads it at. Declare the ordinals as static fields (in SELECT order) and read <see cref="Sql"/> only from methods.
/// </summary>
internal sealed class SqlColumns
{
    private readonly List<string> _columns = [];
    private string? _sql;

    public int Add(string sql)
    {
        if (_sql is not null)
        {
            throw new InvalidOperationException($"Column '{sql}' is added after the SELECT list was written.");
        }
        _columns.Add(sql);
        return _columns.Count - 1;
    }

    public string Sql => _sql ??= string.Join(", ", _columns);

    /// <summary>The ordinal of a column selected after the list.</summary>
    public int Count => _columns.Count;
}
