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

    private static readonly Dictionary<string, SortColumn> Columns = new(StringComparer.Ordinal)
    {
        ["name"] = new("m.name", SortKind.Text),
        ["version_number"] = new("v.version", SortKind.Integer),
        ["creation_timestamp"] = new("v.created_at", SortKind.Millis),
        ["last_updated_timestamp"] = new("v.updated_at", SortKind.Millis),
    };

    public async Task<(IReadOnlyList<ModelVersion> Versions, string? NextPageToken)> SearchAsync(
        long projectId, string? filter, long? maxResultsRequested, IReadOnlyList<string> orderBy, string? pageToken, CancellationToken cancellationToken)
    {
        var maxResults = MaxResults.ResolveRegistry(maxResultsRequested, DefaultMaxResults, MaxResultsLimit);
        var (clauses, excludePrompts) = Prompts.Split(FilterParser.Parse(filter));
        var page = new KeysetPage(filter ?? "", orderBy, OrderKeys, Columns, [],
            [new OrderKey("name", Descending: false), new OrderKey("version_number", Descending: true)], pageToken);

        var parameters = new SqlParameters();
        var where = new StringBuilder($"v.project_id = {parameters.Add(projectId)}");
        foreach (var clause in clauses)
        {
            where.Append(" AND ").Append(Condition(clause, parameters));
        }
        if (excludePrompts)
        {
            where.Append(" AND NOT EXISTS (SELECT 1 FROM ml_model_version_metadata p JOIN ml_model_versions pv ON pv.id = p.model_version_id " +
                $"WHERE pv.model_id = v.model_id AND p.name = '{Prompts.TagKey}' AND p.value = 'true')");
        }
        if (page.AfterCondition(parameters) is { } after)
        {
            where.Append(" AND ").Append(after);
        }

        await using var batch = CustomPlans.Batch(dataSource,
            $"""
            WITH page AS MATERIALIZED (
                SELECT v.id FROM ml_model_versions v JOIN ml_models m ON m.id = v.model_id
                WHERE {where} ORDER BY {page.OrderSql} LIMIT {parameters.Add(maxResults + 1)}
            )
            SELECT {ModelVersionSql.Json} FROM page JOIN ml_model_versions v ON v.id = page.id JOIN ml_models m ON m.id = v.model_id
            ORDER BY {page.OrderSql}
            """, parameters);
        var versions = new List<ModelVersion>();
        await using (var reader = await CustomPlans.ReadAsync(batch, cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                versions.Add(ModelVersionSql.Parse(reader.GetString(0)));
            }
        }
        return (versions, page.NextToken(versions, maxResults, KeyOf));
    }

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

    private static object KeyOf(ModelVersion version, string key) => key switch
    {
        "name" => version.Name,
        "version_number" => long.Parse(version.Version, System.Globalization.CultureInfo.InvariantCulture),
        "creation_timestamp" => version.CreationTimestamp,
        _ => version.LastUpdatedTimestamp,
    };
}
