using Registry.Api.Mlflow.Sql;

namespace Registry.Api.Mlflow.Search;

/// <summary>What a sort key is in SQL, and how its value travels in a page token.</summary>
public enum SortKind { Text, Integer, Millis }

public sealed record SortColumn(string Sql, SortKind Kind);

/// <summary>
/// Ordering and keyset paging for a search: the order_by keys (with tie-breaks that make the order total), the
/// condition for "after the last row of the previous page", and the token for the next page. The token carries the
/// last row's sort key values and a fingerprint of the query, so it cannot be replayed against another filter.
/// </summary>
public sealed class KeysetPage
{
    private readonly List<OrderKey> _order;
    private readonly IReadOnlyDictionary<string, SortColumn> _columns;
    private readonly string _query;
    private readonly IReadOnlyList<object>? _after;

    /// <param name="query">Everything besides the order that decides which rows match (filter, view type).</param>
    /// <param name="keysByAlias">order_by names and their canonical keys.</param>
    /// <param name="defaultOrder">The order when order_by is empty.</param>
    /// <param name="tieBreaks">Appended unless already present, so that no two rows compare equal.</param>
    public KeysetPage(
        string query, IEnumerable<string> orderBy, IReadOnlyDictionary<string, string> keysByAlias, IReadOnlyDictionary<string, SortColumn> columns,
        IEnumerable<OrderKey> defaultOrder, IEnumerable<OrderKey> tieBreaks, string? pageToken)
    {
        _columns = columns;
        _order = OrderBy.Parse(orderBy, keysByAlias);
        if (_order.Count == 0)
        {
            _order.AddRange(defaultOrder);
        }
        _order.AddRange(tieBreaks.Where(tie => _order.All(k => k.Key != tie.Key)).ToList());
        _query = $"{query}\n{string.Join(',', _order)}";
        _after = PageToken.Decode(pageToken, _query, [.. _order.Select(k => _columns[k.Key].Kind == SortKind.Text ? typeof(string) : typeof(long))]);
    }

    public string OrderSql => string.Join(", ", _order.Select(k => $"{_columns[k.Key].Sql} {(k.Descending ? "DESC" : "ASC")}"));

    /// <returns>The condition for rows after the previous page, or null on the first page.</returns>
    public string? AfterCondition(SqlParameters parameters) => _after is null
        ? null
        : Keyset.After([.. _order.Select((k, i) => (_columns[k.Key].Sql, k.Descending, Parameter(_columns[k.Key].Kind, _after[i], parameters)))]);

    /// <summary>Trims the one extra row fetched beyond <paramref name="maxResults"/> and returns the next page's token, if any.</summary>
    public string? NextToken<T>(List<T> rows, int maxResults, Func<T, string, object> keyOf)
    {
        if (rows.Count <= maxResults)
        {
            return null;
        }
        rows.RemoveRange(maxResults, rows.Count - maxResults);
        var last = rows[^1];
        return PageToken.Encode(_query, _order.Select(k => keyOf(last, k.Key)));
    }

    private static string Parameter(SortKind kind, object value, SqlParameters parameters) => kind switch
    {
        SortKind.Text => parameters.Add((string)value),
        // A token's integer is a long; one beyond int was never issued by us.
        SortKind.Integer => parameters.Add((long)value is >= int.MinValue and <= int.MaxValue
            ? (int)(long)value
            : throw FilterParser.Invalid("Invalid page_token.")),
        _ => (long)value is >= Timestamps.MinMillis and <= Timestamps.MaxMillis
            ? parameters.Add(Timestamps.FromMillis((long)value))
            : throw FilterParser.Invalid("Invalid page_token."),
    };
}

/// <summary>max_results of a search, bounded and worded as MLflow's stores word it.</summary>
public static class MaxResults
{
    /// <summary>The tracking searches (runs, experiments, logged models), as MLflow's tracking store words the bounds.</summary>
    public static int Resolve(long? requested, int defaultValue, int limit) => requested switch
    {
        null => defaultValue,
        < 1 => throw FilterParser.Invalid(MlflowMessages.MaxResultsNotPositive(requested.Value)),
        { } value when value > limit => throw FilterParser.Invalid(MlflowMessages.MaxResultsTooLarge(value, limit)),
        { } value => (int)value,
    };

    /// <summary>The registry searches (registered models, model versions), as MLflow's registry store words the bounds.</summary>
    public static int ResolveRegistry(long? requested, int defaultValue, int limit) => requested switch
    {
        null => defaultValue,
        < 1 => throw FilterParser.Invalid($"Invalid value for max_results. It must be a positive integer, but got {requested}"),
        { } value when value > limit => throw FilterParser.Invalid(
            $"Invalid value for request parameter max_results. It must be at most {limit}, but got value {value}"),
        { } value => (int)value,
    };
}
