using Npgsql;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Search;
using Registry.Api.Mlflow.Tracking;

namespace Registry.Api.Features.Runs;

/// <summary>
/// <c>runs/search</c> over experiments: filters on <c>metrics.</c> (the latest value; numeric comparisons),
/// <c>params.</c> and <c>tags.</c> (=, !=, LIKE, ILIKE), <c>attributes.</c> status, run_name, run_id (incl. IN),
/// start_time and end_time; order by any of them (default start_time DESC), tie-break run_id; offset page tokens.
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
        // Offsets, not keysets: a run search orders by any metric, param or tag, each the value of a correlated subquery
        // (the latest metric point, a param, a tag) that is null for runs without it and sorts NULLS LAST. A keyset would
        // compare those nullable values of other tables row by row, which no index serves, and carry doubles and nulls
        // in its token: no cheaper per page than an offset, and easier to get subtly out of MLflow's order.
        var offset = (long?)PageToken.Decode(pageToken, query, [typeof(long)])?[0] ?? 0;

        var parameters = new SqlParameters();
        var where = new SearchWhere(parameters, "run", "metrics.<key>, params.<key>, tags.<key>, status, run_name, run_id, user_id, start_time and end_time")
            .And(ViewTypes.Condition(viewType, "r.deleted_at"))
            .AndFilter(FilterParser.Parse(filter), clause => Field(clause.Identifier, parameters));
        var order = orderBy.Count == 0 ? ["r.start_time DESC"] : orderBy.Select(entry => OrderTerm(entry, parameters)).ToList();
        var experiments = await experimentTable.ResolveAsync(projectId, iids, cancellationToken);
        if (experiments.Length == 0)
        {
            return ([], null);
        }
        where.And($"r.project_id = {parameters.Add(projectId)}").And($"r.experiment_id = ANY({parameters.Add(experiments)})");

        await using var batch = CustomPlans.Batch(dataSource,
            $"""
            SELECT {RunSql.Json} FROM ml_candidates r JOIN ml_experiments e ON e.id = r.experiment_id
            WHERE {where}
            ORDER BY {string.Join(", ", order)}, r.run_id ASC
            LIMIT {parameters.Add(maxResults + 1)} OFFSET {parameters.Add(offset)}
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

    private static FilterField? Field(Identifier identifier, SqlParameters parameters) => identifier switch
    {
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

    private static string OrderTerm(string entry, SqlParameters parameters)
    {
        var (identifier, descending) = FilterParser.ParseOrderClause(entry);
        var direction = descending ? "DESC" : "ASC";
        var expression = identifier.Kind switch
        {
            IdentifierKind.Metric => $"(SELECT m.value FROM ml_candidate_latest_metrics m WHERE m.candidate_id = r.id AND m.name = {parameters.Add(identifier.Key)})",
            IdentifierKind.Param => $"(SELECT p.value FROM ml_candidate_params p WHERE p.candidate_id = r.id AND p.name = {parameters.Add(identifier.Key)})",
            IdentifierKind.Tag => $"(SELECT t.value FROM ml_candidate_metadata t WHERE t.candidate_id = r.id AND t.name = {parameters.Add(identifier.Key)})",
            _ => AttributeColumn(identifier.Key),
        };
        // Runs without the metric, param or tag come last in either direction, as in MLflow.
        return $"{expression} {direction} NULLS LAST";
    }

    private static string AttributeColumn(string key) => key switch
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
