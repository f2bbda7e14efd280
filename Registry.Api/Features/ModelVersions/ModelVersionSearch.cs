using System.Text;
using Npgsql;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Search;

namespace Registry.Api.Features.ModelVersions;

/// <summary>
/// <c>model-versions/search</c>: MLflow's filter over <c>name</c>, <c>source_path</c>, <c>run_id</c> (incl. IN),
/// <c>version_number</c> (numeric comparisons) and <c>tags.&lt;key&gt;</c>; order by name, version_number,
/// creation_timestamp or last_updated_timestamp, tie-break name ASC, version DESC; keyset page tokens.
/// </summary>
internal sealed class ModelVersionSearch(NpgsqlDataSource dataSource)
{
    public const int DefaultMaxResults = 10_000;
    public const int MaxResultsLimit = 200_000;

    private static readonly Dictionary<string, string> OrderKeys = new(StringComparer.Ordinal)
    {
        ["name"] = "name",
        ["version_number"] = "version_number",
        ["creation_timestamp"] = "creation_timestamp",
        ["timestamp"] = "last_updated_timestamp",
        ["last_updated_timestamp"] = "last_updated_timestamp",
    };

    private static readonly string[] StringOperators = ["=", "!=", "LIKE", "ILIKE"];
    private static readonly string[] NumberOperators = ["=", "!=", "<", "<=", ">", ">="];

    public async Task<(IReadOnlyList<ModelVersion> Versions, string? NextPageToken)> SearchAsync(
        long projectId, string? filter, int maxResults, IReadOnlyList<string> orderBy, string? pageToken, CancellationToken cancellationToken)
    {
        var clauses = FilterParser.Parse(filter);
        var order = OrderBy.Parse(orderBy, OrderKeys);
        if (order.All(k => k.Key != "name")) order.Add(new OrderKey("name", Descending: false));
        if (order.All(k => k.Key != "version_number")) order.Add(new OrderKey("version_number", Descending: true));
        var query = $"{filter}\n{string.Join(',', order)}";
        var after = PageToken.Decode(pageToken, query, [.. order.Select(k => k.Key == "name" ? typeof(string) : typeof(long))]);

        var parameters = new SqlParameters();
        var where = new StringBuilder($"v.project_id = {parameters.Add(projectId)}");
        foreach (var clause in clauses)
        {
            where.Append(" AND ").Append(Condition(clause, parameters));
        }
        if (after is not null)
        {
            where.Append(" AND ").Append(Keyset.After(order.Select((k, i) => (Column(k.Key), k.Descending, Param(k.Key, after[i], parameters))).ToList()));
        }

        var orderSql = string.Join(", ", order.Select(k => $"{Column(k.Key)} {(k.Descending ? "DESC" : "ASC")}"));
        var sql =
            $"""
            WITH page AS MATERIALIZED (
                SELECT v.id FROM ml_model_versions v JOIN ml_models m ON m.id = v.model_id
                WHERE {where} ORDER BY {orderSql} LIMIT {parameters.Add(maxResults + 1)}
            )
            SELECT {ModelVersionSql.Json} FROM page JOIN ml_model_versions v ON v.id = page.id JOIN ml_models m ON m.id = v.model_id
            ORDER BY {orderSql}
            """;

        await using var command = dataSource.CreateCommand(sql);
        parameters.CopyTo(command);
        var versions = new List<ModelVersion>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                versions.Add(ModelVersionSql.Parse(reader.GetString(0)));
            }
        }

        if (versions.Count <= maxResults)
        {
            return (versions, null);
        }
        versions.RemoveAt(maxResults);
        var last = versions[^1];
        return (versions, PageToken.Encode(query, order.Select(k => KeyOf(last, k.Key))));
    }

    public static int ValidateMaxResults(int? maxResults) => maxResults switch
    {
        null => DefaultMaxResults,
        < 1 or > MaxResultsLimit => throw FilterParser.Invalid($"Invalid value {maxResults} for parameter 'max_results': it must be between 1 and {MaxResultsLimit}."),
        { } value => value,
    };

    private static string Condition(FilterClause clause, SqlParameters parameters)
    {
        var (identifier, op) = (clause.Identifier, clause.Operator);
        switch (identifier)
        {
            case { Kind: IdentifierKind.Attribute, Key: "version_number" }:
                if (!NumberOperators.Contains(op) || clause.Value is not double number)
                {
                    throw FilterParser.Invalid("version_number is compared with =, !=, <, <=, > or >= against a number: version_number >= 3.");
                }
                return $"v.version {SqlOperator(op)} {parameters.Add(number)}";
            case { Kind: IdentifierKind.Attribute, Key: "run_id" } when op is "IN" or "NOT IN":
                return $"{(op == "IN" ? "" : "NOT ")}(v.run_id = ANY({parameters.Add(((List<string>)clause.Value).ToArray())}))";
            case { Kind: IdentifierKind.Attribute, Key: "run_id" }:
                return $"v.run_id {StringComparison(op, clause, ["=", "!="])} {parameters.Add((string)clause.Value)}";
            case { Kind: IdentifierKind.Attribute, Key: "name" }:
                return $"m.name {StringComparison(op, clause, StringOperators)} {parameters.Add((string)clause.Value)}";
            case { Kind: IdentifierKind.Attribute, Key: "source_path" }:
                return $"v.source {StringComparison(op, clause, StringOperators)} {parameters.Add((string)clause.Value)}";
            case { Kind: IdentifierKind.Tag, Key: var key }:
                var sqlOp = StringComparison(op, clause, StringOperators);
                // As in MLflow, a tag comparison (even !=) only matches versions that have the tag.
                return $"EXISTS (SELECT 1 FROM ml_model_version_metadata t WHERE t.model_version_id = v.id AND t.name = {parameters.Add(key)} AND t.value {sqlOp} {parameters.Add((string)clause.Value)})";
            default:
                throw FilterParser.Invalid($"Invalid filter key '{identifier}'; model version searches filter on name, version_number, run_id, source_path and tags.<key>.");
        }
    }

    private static string StringComparison(string op, FilterClause clause, string[] allowed)
    {
        if (!allowed.Contains(op))
        {
            throw FilterParser.Invalid($"Invalid comparator '{op}' for '{clause.Identifier}'; use {string.Join(", ", allowed)}.");
        }
        if (clause.Value is not string)
        {
            throw FilterParser.Invalid($"Invalid value for '{clause.Identifier}': expected a quoted string.");
        }
        return SqlOperator(op);
    }

    private static string SqlOperator(string op) => op == "!=" ? "<>" : op;

    private static string Column(string key) => key switch
    {
        "name" => "m.name",
        "version_number" => "v.version",
        "creation_timestamp" => "v.created_at",
        _ => "v.updated_at",
    };

    private static string Param(string key, object value, SqlParameters parameters) => key switch
    {
        "name" => parameters.Add((string)value),
        // A token's version is a long; one beyond int was never issued by us.
        "version_number" => parameters.Add((long)value is >= 0 and <= int.MaxValue ? (int)(long)value : throw FilterParser.Invalid("Invalid page_token.")),
        _ => parameters.Add(DateTime.UnixEpoch.AddMilliseconds((long)value)),
    };

    private static object KeyOf(ModelVersion version, string key) => key switch
    {
        "name" => version.Name,
        "version_number" => long.Parse(version.Version, System.Globalization.CultureInfo.InvariantCulture),
        "creation_timestamp" => version.CreationTimestamp,
        _ => version.LastUpdatedTimestamp,
    };
}
