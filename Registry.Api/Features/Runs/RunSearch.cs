using Npgsql;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Search;
using Registry.Api.Mlflow.Sql;
using Registry.Api.Mlflow.Tracking;

namespace Registry.Api.Features.Runs;

/// <summary>
/// <c>runs/search</c> over experiments: filters on <c>metrics.</c> (the latest value; numeric comparisons),
/// <c>params.</c> and <c>tags.</c> (=, !=, LIKE, ILIKE), <c>attributes.</c> status, run_name, run_id (incl. IN),
/// start_time and end_time; order by any of them (<see cref="RunSearchOrder"/>); offset page tokens.
/// </summary>
internal sealed class RunSearch(NpgsqlDataSource dataSource, ExperimentIds experimentTable)
{
    public const int DefaultMaxResults = 1000;
    public const int MaxResultsLimit = 50_000;

    public async Task<(IReadOnlyList<Run> Runs, string? NextPageToken)> SearchAsync(
        long projectId, IReadOnlyList<string> experimentIds, string? filter, string? viewType, long? maxResultsRequested,
        IReadOnlyList<string> orderBy, string? pageToken, CancellationToken cancellationToken)
    {
        var maxResults = MaxResults.Resolve(maxResultsRequested, DefaultMaxResults, MaxResultsLimit);
        var iids = experimentIds.Select(id => ExperimentSql.ParseId(id)
            ?? throw FilterParser.Invalid($"Invalid experiment id '{id}': experiment ids are integers.")).ToArray();
        var query = $"{string.Join(',', iids)}\n{filter}\n{viewType}\n{string.Join('\n', orderBy)}";
        // Offsets, as MLflow's own SQL store pages runs: an order by any metric, param or tag compares nullable values of
        // other tables, and a keyset token would carry doubles (NaN, ±inf) and nulls through JSON to get MLflow's order
        // back. A page costs the rows ranked before it; the walk below keeps that proportional to the page's depth.
        var offset = (long?)PageToken.Decode(pageToken, query, [typeof(long)])?[0] ?? 0;
        if (offset is < 0 or > int.MaxValue)
        {
            throw FilterParser.Invalid("Invalid page_token: it is malformed or belongs to a different query (filter and order_by must not change while paging).");
        }

        var clauses = FilterParser.Parse(filter);
        var parameters = new SqlParameters();
        var order = RunSearchOrder.Parse(orderBy, parameters);
        var walked = order.WalkedMetric;
        var where = new SearchWhere(parameters, "run", "metrics.<key>, params.<key>, tags.<key>, status, run_name, run_id, user_id, start_time and end_time")
            .And(ViewTypes.Condition(viewType, "r.deleted_at"))
            .AndFilter(clauses, clause => Field(clause.Identifier, parameters, walked));
        var experiments = await experimentTable.ResolveAsync(projectId, iids, cancellationToken);
        if (experiments.Length == 0)
        {
            return ([], null);
        }
        where.And($"r.project_id = {parameters.Add(projectId)}").And($"r.experiment_id = ANY({parameters.Add(experiments)})");

        var (cte, ranked) = Ranked(order, where, walked, clauses, parameters, parameters.Add(offset + maxResults + 1));
        await using var batch = CustomPlans.Batch(dataSource,
            $"""
            {cte}
            SELECT {RunSql.Json} FROM (
                SELECT * FROM ({ranked}) ranked ORDER BY {order.By("ranked.")}
                LIMIT {parameters.Add(maxResults + 1)} OFFSET {parameters.Add(offset)}
            ) page JOIN ml_candidates r ON r.id = page.id JOIN ml_experiments e ON e.id = r.experiment_id
            ORDER BY {order.By("page.")}
            """, parameters);
        var runs = new List<Run>();
        await using (var reader = await CustomPlans.ReadAsync(batch, cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                runs.Add(RunSql.Parse(reader.GetString(0)));
            }
        }
        if (runs.Count <= maxResults)
        {
            return (runs, null);
        }
        runs.RemoveAt(maxResults);
        return (runs, PageToken.Encode(query, [offset + maxResults]));
    }

    /// <summary>
    /// The first <paramref name="window"/> runs in order (the page and every run before it), with the WITH clause they
    /// need. Ordered by a metric, that is a walk of the latest values' (name, value) index in the requested direction,
    /// joining each run and testing the other conditions, which stops at the window: a page costs the runs walked, not
    /// the experiment's size (walked downwards, the numbers are walked and the runs at NaN follow them). Runs lacking the metric come after all others, from a second part that
    /// runs only when the walk did not fill the window, and not at all when the filter needs the metric.
    /// PostgreSQL still chooses how to join: for a small experiment it reads the experiment's runs instead of the walk.
    /// </summary>
    private static (string Cte, string Ranked) Ranked(RunSearchOrder order, SearchWhere where, string? walked,
        IReadOnlyList<FilterClause> clauses, SqlParameters parameters, string window)
    {
        if (walked is null)
        {
            return ("", $"SELECT r.id, {order.Columns()} FROM ml_candidates r WHERE {where} ORDER BY {order.By()} LIMIT {window}");
        }
        var metric = parameters.Add(walked);
        string Walk(string values, string by) =>
            $"""
            SELECT r.id, {order.Columns("o.value")}
            FROM ml_candidate_latest_metrics o JOIN ml_candidates r ON r.id = o.candidate_id
            WHERE o.name = {metric}{values} AND {where}
            ORDER BY {by} LIMIT {window}
            """;
        // Downwards the index meets NaN first; MLflow ranks it after every number, so the numbers are walked, then NaN taken.
        var walk = order.WalksDownwards
            ? $"({Walk(" AND o.value < 'NaN'", order.WalkBy())}) UNION ALL ({Walk(" AND o.value = 'NaN'", order.By())})"
            : Walk("", order.WalkBy());
        if (clauses.Any(clause => clause.Identifier.Kind == IdentifierKind.Metric && clause.Identifier.Key == walked))
        {
            return ("", walk);
        }
        var walkedThenLacking =
            $"""
            SELECT * FROM walked UNION ALL (
                SELECT r.id, {order.Columns("NULL::double precision")} FROM ml_candidates r
                WHERE (SELECT count(*) FROM walked) < {window}
                  AND NOT EXISTS (SELECT 1 FROM ml_candidate_latest_metrics o WHERE o.candidate_id = r.id AND o.name = {metric})
                  AND {where}
                ORDER BY {order.By()} LIMIT {window})
            """;
        return ($"WITH walked AS ({walk})", walkedThenLacking);
    }

    /// <param name="walked">The metric the search walks (the walk's row is <c>o</c>), or null.</param>
    private static FilterField? Field(Identifier identifier, SqlParameters parameters, string? walked) => identifier switch
    {
        { Kind: IdentifierKind.Metric } when identifier.Key == walked => FilterField.Number("o.value"),
        { Kind: IdentifierKind.Metric } => FilterField.Number((op, value, _) =>
            $"EXISTS (SELECT 1 FROM ml_candidate_latest_metrics m WHERE m.candidate_id = r.id AND m.name = {parameters.Add(identifier.Key)} AND m.value {op} {value})"),
        { Kind: IdentifierKind.Param } => FilterField.Text((op, value, _) =>
            $"EXISTS (SELECT 1 FROM ml_candidate_params p WHERE p.candidate_id = r.id AND p.name = {parameters.Add(identifier.Key)} AND p.value {op} {value})"),
        { Kind: IdentifierKind.Tag } => FilterField.Text((op, value, _) =>
            $"EXISTS (SELECT 1 FROM ml_candidate_metadata t WHERE t.candidate_id = r.id AND t.name = {parameters.Add(identifier.Key)} AND t.value {op} {value})"),
        { Key: "start_time" or "end_time" or "created" } => FilterField.Number(AttributeColumn(identifier.Key), FilterValue.Millis),
        { Key: "run_id" or "status" } => FilterField.Text(AttributeColumn(identifier.Key)) with { InColumn = AttributeColumn(identifier.Key) },
        { Key: "run_name" or "user_id" } => FilterField.Text(AttributeColumn(identifier.Key)),
        _ => null,
    };

    public static string AttributeColumn(string key) => key switch
    {
        "start_time" or "created" => "r.start_time",
        "end_time" => "r.end_time",
        "run_id" => "r.run_id",
        "status" => "r.status",
        "run_name" => "r.name",
        "user_id" => "r.user_id::text",
        _ => throw FilterParser.Invalid($"Invalid attribute '{key}'; use start_time, end_time, run_id, status, run_name or user_id."),
    };
}
