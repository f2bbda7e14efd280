using Npgsql;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Search;
using Registry.Api.Mlflow.Sql;

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
        var where = new SearchWhere(parameters, "model version", "name, version_number, run_id, source_path and tags.<key>")
            .And($"v.project_id = {parameters.Add(projectId)}")
            .AndFilter(clauses, clause => Field(clause.Identifier, parameters))
            .And(excludePrompts
                ? "NOT EXISTS (SELECT 1 FROM ml_model_version_metadata p JOIN ml_model_versions pv ON pv.id = p.model_version_id " +
                  $"WHERE pv.model_id = v.model_id AND p.name = '{ReservedKeys.IsPrompt}' AND p.value = 'true')"
                : null)
            .And(page.AfterCondition(parameters));

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

    private static FilterField? Field(Identifier identifier, SqlParameters parameters) => identifier switch
    {
        { Kind: IdentifierKind.Attribute, Key: "version_number" } => FilterField.Number("v.version"),
        { Kind: IdentifierKind.Attribute, Key: "run_id" } =>
            FilterField.Text("v.run_id") with { Operators = ["=", "!="], InColumn = "v.run_id" },
        { Kind: IdentifierKind.Attribute, Key: "name" } => FilterField.Text("m.name"),
        { Kind: IdentifierKind.Attribute, Key: "source_path" } => FilterField.Text("v.source"),
        // As in MLflow, a tag comparison (even !=) only matches versions that have the tag.
        { Kind: IdentifierKind.Tag, Key: var key } => FilterField.Text((op, value, _) =>
            $"EXISTS (SELECT 1 FROM ml_model_version_metadata t WHERE t.model_version_id = v.id AND t.name = {parameters.Add(key)} AND t.value {op} {value})"),
        _ => null,
    };

    private static object KeyOf(ModelVersion version, string key) => key switch
    {
        "name" => version.Name,
        "version_number" => long.Parse(version.Version, System.Globalization.CultureInfo.InvariantCulture),
        "creation_timestamp" => version.CreationTimestamp,
        _ => version.LastUpdatedTimestamp,
    };
}
