using Npgsql;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Search;
using Registry.Api.Mlflow.Sql;
using Registry.Api.Mlflow.Tracking;

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

    private static readonly Dictionary<string, SortColumn> Columns = new(StringComparer.Ordinal)
    {
        ["name"] = new("e.name", SortKind.Text),
        ["creation_time"] = new("e.created_at", SortKind.Millis),
        ["last_update_time"] = new("e.updated_at", SortKind.Millis),
        ["experiment_id"] = new("e.iid", SortKind.Integer),
    };

    public async Task<(IReadOnlyList<Experiment> Experiments, string? NextPageToken)> SearchAsync(
        long projectId, string? filter, string? viewType, long? maxResultsRequested, IReadOnlyList<string> orderBy, string? pageToken, CancellationToken cancellationToken)
    {
        var maxResults = MaxResults.Resolve(maxResultsRequested, DefaultMaxResults, MaxResultsLimit);
        var lifecycle = ViewTypes.Condition(viewType, "e.deleted_at");
        var clauses = FilterParser.Parse(filter);
        var page = new KeysetPage($"{filter}\n{viewType}", orderBy, OrderKeys, Columns,
            [new OrderKey("creation_time", Descending: true)], [new OrderKey("experiment_id", Descending: false)], pageToken);

        var parameters = new SqlParameters();
        var where = new SearchWhere(parameters, "experiment", "name, creation_time, last_update_time and tags.<key>")
            .And($"e.project_id = {parameters.Add(projectId)}")
            .And(lifecycle)
            .AndFilter(clauses, clause => Field(clause.Identifier, parameters))
            .And(page.AfterCondition(parameters));

        await using var batch = CustomPlans.Batch(dataSource,
            $"SELECT {ExperimentJson.Sql} FROM ml_experiments e WHERE {where} ORDER BY {page.OrderSql} LIMIT {parameters.Add(maxResults + 1)}",
            parameters,
            ExperimentSql.EnsureDefault(projectId));

        var experiments = new List<Experiment>();
        await using (var reader = await CustomPlans.ReadAsync(batch, cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                experiments.Add(ExperimentJson.Parse(reader.GetString(0)));
            }
        }
        return (experiments, page.NextToken(experiments, maxResults, KeyOf));
    }

    private static FilterField? Field(Identifier identifier, SqlParameters parameters) => identifier switch
    {
        { Kind: IdentifierKind.Attribute, Key: "creation_time" or "last_update_time" } => FilterField.Number(Columns[identifier.Key].Sql, FilterValue.Timestamp),
        { Kind: IdentifierKind.Attribute, Key: "name" } => FilterField.Text("e.name"),
        { Kind: IdentifierKind.Tag, Key: var key } => FilterField.Text((op, value, _) =>
            $"EXISTS (SELECT 1 FROM ml_experiment_metadata t WHERE t.experiment_id = e.id AND t.name = {parameters.Add(key)} AND t.value {op} {value})"),
        _ => null,
    };

    private static object KeyOf(Experiment experiment, string key) => key switch
    {
        "name" => experiment.Name,
        "creation_time" => experiment.CreationTime,
        "last_update_time" => experiment.LastUpdateTime,
        _ => long.Parse(experiment.ExperimentId, System.Globalization.CultureInfo.InvariantCulture),
    };
}
