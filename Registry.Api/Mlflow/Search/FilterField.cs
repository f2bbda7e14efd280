namespace Registry.Api.Mlflow.Search;

/// <summary>How a filter's value reaches SQL: a string, a double, a time from milliseconds, or a bigint of milliseconds.</summary>
public enum FilterValue { Text, Number, Timestamp, Millis }

/// <summary>
/// One identifier a search filters on: its comparators, the type of its value and the SQL condition it becomes.
/// <see cref="Condition"/> gets the SQL operator (<c>!=</c> already written <c>&lt;&gt;</c>), the value's placeholder and
/// the value itself.
/// </summary>
public sealed record FilterField(FilterValue Value, IReadOnlyList<string> Operators, Func<string, string, object, string> Condition)
{
    public static readonly IReadOnlyList<string> TextOperators = ["=", "!=", "LIKE", "ILIKE"];
    public static readonly IReadOnlyList<string> NumberOperators = ["=", "!=", "<", "<=", ">", ">="];

    /// <summary>The column that <c>IN (...)</c> and <c>NOT IN (...)</c> test, when the field takes them.</summary>
    public string? InColumn { get; init; }

    /// <summary>A text field compared with =, !=, LIKE and ILIKE.</summary>
    public static FilterField Text(string column) => Text((op, value, _) => $"{column} {op} {value}");

    public static FilterField Text(Func<string, string, object, string> condition) => new(FilterValue.Text, TextOperators, condition);

    /// <summary>A numeric field compared with =, !=, &lt;, &lt;=, &gt; and &gt;=.</summary>
    public static FilterField Number(string column, FilterValue value = FilterValue.Number) => Number((op, placeholder, _) => $"{column} {op} {placeholder}", value);

    public static FilterField Number(Func<string, string, object, string> condition, FilterValue value = FilterValue.Number) =>
        new(value, NumberOperators, condition);
}
