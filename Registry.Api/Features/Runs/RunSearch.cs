using System.Globalization;
using System.Text;
using Npgsql;
using Registry.Api.Features.Experiments;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Search;

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

    private static readonly string[] StringOperators = ["=", "!=", "LIKE", "ILIKE"];
    private static readonly string[] NumberOperators = ["=", "!=", "<", "<=", ">", ">="];

    public async Task<(IReadOnlyList<Run> Runs, string? NextPageToken)> SearchAsync(
        long projectId, IReadOnlyList<string> experimentIds, string? filter, string? viewType, long? maxResultsRequested,
        IReadOnlyList<string> orderBy, string? pageToken, CancellationToken cancellationToken)
    {
        var maxResults = MaxResults.Resolve(maxResultsRequested, DefaultMaxResults, MaxResultsLimit);
        var iids = experimentIds.Select(id => ExperimentSql.ParseId(id)
            ?? throw FilterParser.Invalid($"Invalid experiment id '{id}': experiment ids are integers.")).ToArray();
        var query = $"{string.Join(',', iids)}\n{filter}\n{viewType}\n{string.Join('\n', orderBy)}";
        var offset = (long?)PageToken.Decode(pageToken, query, [typeof(long)])?[0] ?? 0;

        var parameters = new SqlParameters();
        var where = new StringBuilder(ViewTypes.Condition(viewType, "r.deleted_at"));
        foreach (var clause in FilterParser.Parse(filter))
        {
            where.Append(" AND ").Append(Condition(clause, parameters));
        }
        var order = orderBy.Count == 0 ? ["r.start_time DESC"] : orderBy.Select(entry => OrderTerm(entry, parameters)).ToList();
        var experiments = await experimentTable.ResolveAsync(projectId, iids, cancellationToken);
        if (experiments.Length == 0)
        {
            return ([], null);
        }
        where.Append($" AND r.project_id = {parameters.Add(projectId)} AND r.experiment_id = ANY({parameters.Add(experiments)})");

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

    private static string Condition(FilterClause clause, SqlParameters parameters)
    {
        var (identifier, op, value) = (clause.Identifier, clause.Operator, clause.Value);
        var sqlOp = op == "!=" ? "<>" : op;
        switch (identifier.Kind)
        {
            case IdentifierKind.Metric:
                Require(NumberOperators.Contains(op) && value is double, clause, "a number with =, !=, <, <=, > or >=");
                return $"EXISTS (SELECT 1 FROM ml_candidate_latest_metrics m WHERE m.candidate_id = r.id AND m.name = {parameters.Add(identifier.Key)} AND m.value {sqlOp} {parameters.Add((double)value)})";
            case IdentifierKind.Param:
                Require(StringOperators.Contains(op) && value is string, clause, "a quoted string with =, !=, LIKE or ILIKE");
                return $"EXISTS (SELECT 1 FROM ml_candidate_params p WHERE p.candidate_id = r.id AND p.name = {parameters.Add(identifier.Key)} AND p.value {sqlOp} {parameters.Add((string)value)})";
            case IdentifierKind.Tag:
                Require(StringOperators.Contains(op) && value is string, clause, "a quoted string with =, !=, LIKE or ILIKE");
                return $"EXISTS (SELECT 1 FROM ml_candidate_metadata t WHERE t.candidate_id = r.id AND t.name = {parameters.Add(identifier.Key)} AND t.value {sqlOp} {parameters.Add((string)value)})";
        }

        switch (identifier.Key)
        {
            case "start_time" or "end_time" or "created":
                Require(NumberOperators.Contains(op) && value is double, clause, "a number of milliseconds with =, !=, <, <=, > or >=");
                return $"{AttributeColumn(identifier.Key)} {sqlOp} {parameters.Add((long)(double)value)}";
            case "run_id" or "status" when op is "IN" or "NOT IN":
                return $"{(op == "IN" ? "" : "NOT ")}({AttributeColumn(identifier.Key)} = ANY({parameters.Add(((List<string>)value).ToArray())}))";
            case "run_id" or "status" or "run_name" or "user_id":
                Require(StringOperators.Contains(op) && value is string, clause, "a quoted string with =, !=, LIKE or ILIKE");
                return $"{AttributeColumn(identifier.Key)} {sqlOp} {parameters.Add((string)value)}";
            default:
                throw FilterParser.Invalid($"Invalid attribute '{identifier.Key}'; run searches filter on status, run_name, run_id, user_id, start_time and end_time.");
        }
    }

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

    private static void Require(bool ok, FilterClause clause, string expected)
    {
        if (!ok)
        {
            throw FilterParser.Invalid($"Invalid comparison '{clause.Identifier} {clause.Operator}': {clause.Identifier.Kind.ToString().ToLower(CultureInfo.InvariantCulture)} filters take {expected}.");
        }
    }
}
