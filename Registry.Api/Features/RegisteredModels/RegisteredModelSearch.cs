using System.Text;
using Npgsql;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Search;

namespace Registry.Api.Features.RegisteredModels;

/// <summary>
/// <c>registered-models/search</c>: MLflow's filter over <c>name</c> and <c>tags.&lt;key&gt;</c> (=, !=, LIKE, ILIKE),
/// <c>order_by</c> name / last_updated_timestamp (timestamp) / creation_timestamp with tie-break name ASC,
/// and keyset page tokens. One statement returns the page with every model's tags.
/// </summary>
internal sealed class RegisteredModelSearch(NpgsqlDataSource dataSource)
{
    public const int DefaultMaxResults = 100;
    public const int MaxResultsLimit = 1000;

    private static readonly Dictionary<string, string> OrderKeys = new(StringComparer.Ordinal)
    {
        ["name"] = "name",
        ["timestamp"] = "last_updated_timestamp",
        ["last_updated_timestamp"] = "last_updated_timestamp",
        ["creation_timestamp"] = "creation_timestamp",
    };

    private static readonly string[] StringOperators = ["=", "!=", "LIKE", "ILIKE"];

    /// <summary>Tag values up to this many UTF-8 bytes are in the (name, value) index; see the RegisteredModelSearch migration.</summary>
    private const int IndexedTagValueBytes = 1024;

    public async Task<(IReadOnlyList<RegisteredModel> Models, string? NextPageToken)> SearchAsync(
        long projectId, string? filter, int maxResults, IReadOnlyList<string> orderBy, string? pageToken, CancellationToken cancellationToken)
    {
        var clauses = FilterParser.Parse(filter);
        var order = OrderBy.Parse(orderBy, OrderKeys);
        if (order.All(k => k.Key != "name"))
        {
            order.Add(new OrderKey("name", Descending: false));
        }
        var query = $"{filter}\n{string.Join(',', order)}";
        var after = PageToken.Decode(pageToken, query, [.. order.Select(k => k.Key == "name" ? typeof(string) : typeof(long))]);

        var parameters = new SqlParameters();
        var where = new StringBuilder($"m.project_id = {parameters.Add(projectId)}");
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
            WITH m AS MATERIALIZED (
                SELECT m.* FROM ml_models m WHERE {where} ORDER BY {orderSql} LIMIT {parameters.Add(maxResults + 1)}
            )
            SELECT {RegisteredModelSql.Columns} FROM m {RegisteredModelSql.Joins} ORDER BY {orderSql}
            """;

        await using var command = dataSource.CreateCommand(sql);
        parameters.CopyTo(command);
        var models = new List<RegisteredModel>(Math.Min(maxResults + 1, 128));
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                models.Add(RegisteredModelSql.Read(reader));
            }
        }

        if (models.Count <= maxResults)
        {
            return (models, null);
        }
        models.RemoveAt(maxResults);
        var last = models[^1];
        return (models, PageToken.Encode(query, order.Select(k => KeyOf(last, k.Key))));
    }

    public static int ValidateMaxResults(int? maxResults) => maxResults switch
    {
        null => DefaultMaxResults,
        < 1 or > MaxResultsLimit => throw FilterParser.Invalid($"Invalid value {maxResults} for parameter 'max_results': it must be between 1 and {MaxResultsLimit}."),
        { } value => value,
    };

    private static string Condition(FilterClause clause, SqlParameters parameters)
    {
        if (!StringOperators.Contains(clause.Operator))
        {
            throw FilterParser.Invalid($"Invalid comparator '{clause.Operator}' for '{clause.Identifier}'; registered model searches support =, !=, LIKE and ILIKE.");
        }
        if (clause.Value is not string value)
        {
            throw FilterParser.Invalid($"Invalid value for '{clause.Identifier}': expected a quoted string.");
        }

        var op = clause.Operator == "!=" ? "<>" : clause.Operator;
        switch (clause.Identifier)
        {
            case { Kind: IdentifierKind.Attribute, Key: "name" }:
                return $"m.name {op} {parameters.Add(value)}";
            case { Kind: IdentifierKind.Tag, Key: var key }:
                var keyParam = parameters.Add(key);
                var valueParam = parameters.Add(value);
                var valueCondition = op == "=" && Encoding.UTF8.GetByteCount(value) <= IndexedTagValueBytes
                    // Restating the partial index's predicate lets PostgreSQL use it (ix_ml_model_metadata_name_value).
                    ? $"octet_length(t.value) <= {IndexedTagValueBytes} AND t.value = {valueParam}"
                    : $"t.value {op} {valueParam}";
                // As in MLflow, a tag comparison (even !=) only matches models that have the tag.
                return $"EXISTS (SELECT 1 FROM ml_model_metadata t WHERE t.model_id = m.id AND t.name = {keyParam} AND {valueCondition})";
            default:
                throw FilterParser.Invalid($"Invalid filter key '{clause.Identifier}'; registered model searches filter on name and tags.<key>.");
        }
    }

    private static string Column(string key) => key switch
    {
        "name" => "m.name",
        "creation_timestamp" => "m.created_at",
        _ => "m.updated_at",
    };

    private static string Param(string key, object value, SqlParameters parameters) =>
        key == "name" ? parameters.Add((string)value) : parameters.Add(DateTime.UnixEpoch.AddMilliseconds((long)value));

    private static object KeyOf(RegisteredModel model, string key) => key switch
    {
        "name" => model.Name,
        "creation_timestamp" => model.CreationTimestamp,
        _ => model.LastUpdatedTimestamp,
    };
}
