using Registry.Api.Mlflow.Sql;

namespace Registry.Api.Mlflow.Search;

/// <summary>
/// The WHERE clause of a search: its fixed conditions (project, lifecycle, page) and the filter's comparisons, each
/// turned into SQL through the search's own fields. Values become parameters; only the fields' SQL enters the text.
/// </summary>
/// <param name="searches">What the search is over, for messages: "registered model".</param>
/// <param name="fieldNames">The identifiers it filters on, for messages: "name and tags.&lt;key&gt;".</param>
public sealed class SearchWhere(SqlParameters parameters, string searches, string fieldNames)
{
    private readonly List<string> _conditions = [];

    /// <summary>Adds a condition; null adds nothing (a first page has no "after" condition).</summary>
    public SearchWhere And(string? condition)
    {
        if (condition is not null)
        {
            _conditions.Add(condition);
        }
        return this;
    }

    /// <param name="fieldOf">The field a clause compares, or null when the search does not filter on its identifier.</param>
    public SearchWhere AndFilter(IEnumerable<FilterClause> clauses, Func<FilterClause, FilterField?> fieldOf)
    {
        foreach (var clause in clauses)
        {
            _conditions.Add(Condition(clause, fieldOf(clause)
                ?? throw FilterParser.Invalid($"Invalid filter key '{clause.Identifier}'; {searches} searches filter on {fieldNames}.")));
        }
        return this;
    }

    public override string ToString() => string.Join(" AND ", _conditions);

    private string Condition(FilterClause clause, FilterField field)
    {
        if (clause.Operator is "IN" or "NOT IN" && field.InColumn is { } column)
        {
            return $"{(clause.Operator == "IN" ? "" : "NOT ")}({column} = ANY({parameters.Add(((List<string>)clause.Value).ToArray())}))";
        }
        var placeholder = field.Operators.Contains(clause.Operator) ? Placeholder(field.Value, clause.Value) : null;
        if (placeholder is null)
        {
            var comparators = string.Join(", ", field.Operators) + (field.InColumn is null ? "" : ", IN or NOT IN");
            var value = field.Value == FilterValue.Text ? "a quoted string" : "a number";
            throw FilterParser.Invalid($"Invalid comparison '{clause.Identifier} {clause.Operator}': {clause.Identifier} is compared with {comparators} against {value}.");
        }
        return field.Condition(clause.Operator == "!=" ? "<>" : clause.Operator, placeholder, clause.Value);
    }

    private string? Placeholder(FilterValue kind, object value) => (kind, value) switch
    {
        (FilterValue.Text, string text) => parameters.Add(text),
        (FilterValue.Number, double number) => parameters.Add(number),
        (FilterValue.Timestamp, double millis) => parameters.Add(Timestamps.FromMillis(millis)),
        (FilterValue.Millis, double millis) => parameters.Add((long)millis),
        _ => null,
    };
}
