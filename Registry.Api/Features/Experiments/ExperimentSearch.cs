using System.Text;
using Npgsql;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Search;

namespace Registry.Api.Features.Experiments;

/// <summary>
/// <c>experiments/search</c>: filter over <c>name</c>, <c>tags.&lt;key&gt;</c> (=, !=, LIKE, ILIKE) and
/// <c>creation_time</c>, <c>last_update_time</c> (numeric); order by name, creation_time, last_update_time or
/// experiment_id (default creation_time DESC, tie-break experiment_id ASC); view_type; keyset page tokens.
/// </summary>
internal sealed class ExperimentSearch(NpgsqlDataSource dataSource)
{
    public const int DefaultMaxResults = 1000;
    public const int MaxResultsLimit = 50_000;

    private static readonly Dictionary<string, string> OrderKeys = new(StringComparer.Ordinal)
    {
        ["name"] = "name",
        ["creation_time"] = "creation_time",
        ["last_update_time"] = "last_update_time",
        ["experiment_id"] = "experiment_id",
    };

    public async Task<(IReadOnlyList<Experiment> Experiments, string? NextPageToken)> SearchAsync(
        long projectId, string? filter, string? viewType, long? maxResultsRequested, IReadOnlyList<string> orderBy, string? pageToken, CancellationToken cancellationToken)
    {
        var maxResults = maxResultsRequested switch
        {
            null => DefaultMaxResults,
            < 1 or > MaxResultsLimit => throw FilterParser.Invalid($"Invalid value {maxResultsRequested} for parameter 'max_results': it must be between 1 and {MaxResultsLimit}."),
            { } value => (int)value,
        };
        var lifecycle = ViewTypes.Condition(viewType, "e.deleted_at");
        var clauses = FilterParser.Parse(filter);
        var order = OrderBy.Parse(orderBy, OrderKeys);
        if (order.Count == 0) order.Add(new OrderKey("creation_time", Descending: true));
        if (order.All(k => k.Key != "experiment_id")) order.Add(new OrderKey("experiment_id", Descending: false));
        var query = $"{filter}\n{viewType}\n{string.Join(',', order)}";
        var after = PageToken.Decode(pageToken, query, [.. order.Select(k => k.Key == "name" ? typeof(string) : typeof(long))]);

        var parameters = new SqlParameters();
        var where = new StringBuilder($"e.project_id = {parameters.Add(projectId)} AND {lifecycle}");
        foreach (var clause in clauses)
        {
            where.Append(" AND ").Append(Condition(clause, parameters));
        }
        if (after is not null)
        {
            where.Append(" AND ").Append(Keyset.After(order.Select((k, i) => (Column(k.Key), k.Descending, Param(k.Key, after[i], parameters))).ToList()));
        }
        var orderSql = string.Join(", ", order.Select(k => $"{Column(k.Key)} {(k.Descending ? "DESC" : "ASC")}"));

        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(ExperimentSql.EnsureDefault) { Parameters = { new NpgsqlParameter<long> { TypedValue = projectId } } });
        var select = new NpgsqlBatchCommand(
            $"SELECT {ExperimentSql.Json} FROM ml_experiments e WHERE {where} ORDER BY {orderSql} LIMIT {parameters.Add(maxResults + 1)}");
        parameters.CopyTo(select);
        batch.BatchCommands.Add(select);

        var experiments = new List<Experiment>();
        // The reader skips the INSERT (it returns no rows) and starts at the SELECT.
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                experiments.Add(ExperimentSql.Parse(reader.GetString(0)));
            }
        }
        if (experiments.Count <= maxResults)
        {
            return (experiments, null);
        }
        experiments.RemoveAt(maxResults);
        var last = experiments[^1];
        return (experiments, PageToken.Encode(query, order.Select(k => KeyOf(last, k.Key))));
    }

    private static string Condition(FilterClause clause, SqlParameters parameters)
    {
        var op = clause.Operator == "!=" ? "<>" : clause.Operator;
        switch (clause.Identifier)
        {
            case { Kind: IdentifierKind.Attribute, Key: "creation_time" or "last_update_time" } id:
                if (clause.Operator is not ("=" or "!=" or "<" or "<=" or ">" or ">=") || clause.Value is not double millis)
                {
                    throw FilterParser.Invalid($"{id.Key} is compared with =, !=, <, <=, > or >= against a number of milliseconds.");
                }
                return $"{Column(id.Key)} {op} {parameters.Add(DateTime.UnixEpoch.AddMilliseconds(millis))}";
            case { Kind: IdentifierKind.Attribute, Key: "name" }:
                return $"e.name {StringOperator(clause, op)} {parameters.Add((string)clause.Value)}";
            case { Kind: IdentifierKind.Tag, Key: var key }:
                var sqlOp = StringOperator(clause, op);
                return $"EXISTS (SELECT 1 FROM ml_experiment_metadata t WHERE t.experiment_id = e.id AND t.name = {parameters.Add(key)} AND t.value {sqlOp} {parameters.Add((string)clause.Value)})";
            default:
                throw FilterParser.Invalid($"Invalid filter key '{clause.Identifier}'; experiment searches filter on name, creation_time, last_update_time and tags.<key>.");
        }
    }

    private static string StringOperator(FilterClause clause, string op) =>
        clause.Operator is "=" or "!=" or "LIKE" or "ILIKE" && clause.Value is string
            ? op
            : throw FilterParser.Invalid($"'{clause.Identifier}' is compared with =, !=, LIKE or ILIKE against a quoted string.");

    private static string Column(string key) => key switch
    {
        "name" => "e.name",
        "creation_time" => "e.created_at",
        "last_update_time" => "e.updated_at",
        _ => "e.iid",
    };

    private static string Param(string key, object value, SqlParameters parameters) => key switch
    {
        "name" => parameters.Add((string)value),
        "experiment_id" => parameters.Add((long)value is >= 0 and <= int.MaxValue ? (int)(long)value : throw FilterParser.Invalid("Invalid page_token.")),
        _ => parameters.Add(DateTime.UnixEpoch.AddMilliseconds((long)value)),
    };

    private static object KeyOf(Experiment experiment, string key) => key switch
    {
        "name" => experiment.Name,
        "creation_time" => experiment.CreationTime,
        "last_update_time" => experiment.LastUpdateTime,
        _ => long.Parse(experiment.ExperimentId, System.Globalization.CultureInfo.InvariantCulture),
    };
}
