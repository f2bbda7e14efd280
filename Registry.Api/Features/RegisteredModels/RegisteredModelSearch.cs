using System.Text;
using Npgsql;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Search;
using Registry.Api.Mlflow.Sql;

namespace Registry.Api.Features.RegisteredModels;

/// <summary>
/// <c>registered-models/search</c>: MLflow's filter over <c>name</c> and <c>tags.&lt;key&gt;</c> (=, !=, LIKE, ILIKE),
/// <c>order_by</c> name / last_updated_timestamp (timestamp) / creation_timestamp with tie-break name ASC,
/// and keyset page tokens. One statement returns the page with every model's tags, latest versions and aliases.
/// </summary>
internal sealed class RegisteredModelSearch(NpgsqlDataSource dataSource)
{
    public const int DefaultMaxResults = 100;
    public const int MaxResultsLimit = 1000;

    /// <summary>Tag values up to this many UTF-8 bytes are in the (name, value) index; see the RegisteredModelSearch migration.</summary>
    private const int IndexedTagValueBytes = 1024;

    private static readonly Dictionary<string, string> OrderKeys = new(StringComparer.Ordinal)
    {
        ["name"] = "name",
        ["timestamp"] = "last_updated_timestamp",
        ["last_updated_timestamp"] = "last_updated_timestamp",
        ["creation_timestamp"] = "creation_timestamp",
    };

    private static readonly Dictionary<string, SortColumn> Columns = new(StringComparer.Ordinal)
    {
        ["name"] = new("m.name", SortKind.Text),
        ["creation_timestamp"] = new("m.created_at", SortKind.Millis),
        ["last_updated_timestamp"] = new("m.updated_at", SortKind.Millis),
    };

    public async Task<(IReadOnlyList<RegisteredModel> Models, string? NextPageToken)> SearchAsync(
        long projectId, string? filter, long? maxResultsRequested, IReadOnlyList<string> orderBy, string? pageToken, CancellationToken cancellationToken)
    {
        var maxResults = MaxResults.ResolveRegistry(maxResultsRequested, DefaultMaxResults, MaxResultsLimit);
        var (clauses, excludePrompts) = Prompts.Split(FilterParser.Parse(filter));
        var page = new KeysetPage(filter ?? "", orderBy, OrderKeys, Columns, [], [new OrderKey("name", Descending: false)], pageToken);

        var parameters = new SqlParameters();
        var where = new SearchWhere(parameters, "registered model", "name and tags.<key>")
            .And($"m.project_id = {parameters.Add(projectId)}")
            .AndFilter(clauses, clause => Field(clause, parameters))
            .And(excludePrompts ? $"NOT EXISTS (SELECT 1 FROM ml_model_metadata p WHERE p.model_id = m.id AND p.name = '{ReservedKeys.IsPrompt}' AND p.value = 'true')" : null)
            .And(page.AfterCondition(parameters));

        await using var batch = CustomPlans.Batch(dataSource,
            $"""
            WITH m AS MATERIALIZED (
                SELECT m.* FROM ml_models m WHERE {where} ORDER BY {page.OrderSql} LIMIT {parameters.Add(maxResults + 1)}
            )
            SELECT {RegisteredModelSql.Columns} FROM m {RegisteredModelSql.Joins} ORDER BY {page.OrderSql}
            """, parameters);
        var models = new List<RegisteredModel>();
        await using (var reader = await CustomPlans.ReadAsync(batch, cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                models.Add(RegisteredModelSql.Read(reader));
            }
        }
        return (models, page.NextToken(models, maxResults, KeyOf));
    }

    private static FilterField? Field(FilterClause clause, SqlParameters parameters) => clause.Identifier switch
    {
        { Kind: IdentifierKind.Attribute, Key: "name" } => FilterField.Text("m.name"),
        { Kind: IdentifierKind.Tag, Key: var key } => FilterField.Text((op, valueParam, value) =>
        {
            var valueCondition = op == "=" && Encoding.UTF8.GetByteCount((string)value) <= IndexedTagValueBytes
                // Restating the partial index's predicate lets PostgreSQL use it (ix_ml_model_metadata_name_value).
                ? $"octet_length(t.value) <= {IndexedTagValueBytes} AND t.value = {valueParam}"
                : $"t.value {op} {valueParam}";
            // As in MLflow, a tag comparison (even !=) only matches models that have the tag.
            return $"EXISTS (SELECT 1 FROM ml_model_metadata t WHERE t.model_id = m.id AND t.name = {parameters.Add(key)} AND {valueCondition})";
        }),
        _ => null,
    };

    private static object KeyOf(RegisteredModel model, string key) => key switch
    {
        "name" => model.Name,
        "creation_timestamp" => model.CreationTimestamp,
        _ => model.LastUpdatedTimestamp,
    };
}
