using Registry.Api.Mlflow.Search;
using Registry.Api.Mlflow.Sql;

namespace Registry.Api.Features.Runs;

/// <summary>
/// The order of a run search, as MLflow's SQL store sorts: the requested keys, a metric's NaN after every number and runs
/// without a key's metric, param or tag after all runs with it, in either direction, then start_time DESC (unless
/// ordered by) and run_id. Each key is a column
/// (<c>k0</c>, <c>k1</c>, ...) of the ranked rows beside the tie-breakers (<c>tie_start</c>, <c>tie_id</c>), so that a page
/// ranked in parts is put in order again by the same columns.
/// </summary>
internal sealed class RunSearchOrder
{
    private readonly List<(Identifier Identifier, bool Descending, string? Expression)> _keys;
    private readonly bool _startTimeOrdered;

    private RunSearchOrder(List<(Identifier, bool, string?)> keys)
    {
        _keys = keys;
        _startTimeOrdered = keys.Any(key => key.Item1 is { Kind: IdentifierKind.Attribute, Key: "start_time" or "created" });
    }

    /// <summary>The search's order; start_time DESC when none is given.</summary>
    public static RunSearchOrder Parse(IReadOnlyList<string> orderBy, SqlParameters parameters) => new(orderBy.Count == 0
        ? [(new Identifier(IdentifierKind.Attribute, "start_time"), true, "r.start_time")]
        : [.. orderBy.Select(FilterParser.ParseOrderClause).Select((key, i) =>
            // A first metric key is walked: its column is the walk's own value (see Columns), never a subquery.
            (key.Identifier, key.Descending, i == 0 && key.Identifier.Kind == IdentifierKind.Metric ? null : Expression(key.Identifier, key.Descending, parameters)))]);

    /// <summary>The metric whose latest values a search walks in index order: the first key, when it is a metric.</summary>
    public string? WalkedMetric => _keys[0].Identifier.Kind == IdentifierKind.Metric ? _keys[0].Identifier.Key : null;

    /// <summary>Whether the walked metric is walked downwards, where the index has NaN first and MLflow has it last.</summary>
    public bool WalksDownwards => WalkedMetric is not null && _keys[0].Descending;

    /// <summary>The ranked columns for a run <c>r</c>: the tie-breakers, then each key; a walked metric's is <paramref name="walkedValue"/>.</summary>
    public string Columns(string? walkedValue = null) => string.Join(", ",
        ["r.start_time AS tie_start", "r.run_id AS tie_id", .. _keys.Select((key, i) => $"{key.Expression ?? walkedValue} AS k{i}")]);

    /// <summary>ORDER BY over the ranked columns of <paramref name="rows"/> (a qualifier with its dot, or empty).</summary>
    public string By(string rows = "") => Terms(rows, walk: false);

    /// <summary>
    /// ORDER BY for the walk of the first key's metric index, whose values are never null: the first term is the index's
    /// own order (NULLS LAST on a descending key would not match a backward scan).
    /// </summary>
    public string WalkBy() => Terms("", walk: true);

    private string Terms(string rows, bool walk)
    {
        var terms = new List<string>();
        // The runs a downward walk found at NaN follow its numbers. Only the ranked rows' columns can be compared so: inside
        // a SELECT, ORDER BY names its own output columns bare or not at all (the walk's parts are in order already).
        if (WalksDownwards && rows.Length > 0)
        {
            terms.Add($"({rows}k0 = 'NaN') NULLS LAST");
        }
        terms.AddRange(_keys.Select((key, i) => $"{rows}k{i} {(key.Descending ? "DESC" : "ASC")}{(walk && i == 0 ? "" : " NULLS LAST")}"));
        if (!_startTimeOrdered)
        {
            terms.Add($"{rows}tie_start DESC");
        }
        terms.Add($"{rows}tie_id ASC");
        return string.Join(", ", terms);
    }

    /// <summary>
    /// A key's value for a run <c>r</c>. A metric ordered downwards is the pair (is a number, value): PostgreSQL sorts NaN
    /// above every number, MLflow after them in both directions.
    /// </summary>
    private static string Expression(Identifier identifier, bool descending, SqlParameters parameters) => identifier.Kind switch
    {
        IdentifierKind.Metric when descending => $"(SELECT ROW(m.value <> 'NaN', m.value) FROM ml_candidate_latest_metrics m WHERE m.candidate_id = r.id AND m.name = {parameters.Add(identifier.Key)})",
        IdentifierKind.Metric => $"(SELECT m.value FROM ml_candidate_latest_metrics m WHERE m.candidate_id = r.id AND m.name = {parameters.Add(identifier.Key)})",
        IdentifierKind.Param => $"(SELECT p.value FROM ml_candidate_params p WHERE p.candidate_id = r.id AND p.name = {parameters.Add(identifier.Key)})",
        IdentifierKind.Tag => $"(SELECT t.value FROM ml_candidate_metadata t WHERE t.candidate_id = r.id AND t.name = {parameters.Add(identifier.Key)})",
        _ => RunSearch.AttributeColumn(identifier.Key),
    };
}
