using Npgsql;
using Registry.Api.Mlflow.Search;
using Registry.Api.Mlflow.Sql;
using Registry.Api.Mlflow.Tracking;

namespace Registry.Api.Features.LoggedModels;

/// <summary>
/// <c>logged-models/search</c>: filter over name, status, model_type, source_run_id, <c>tags.</c>, <c>params.</c>
/// (=, !=, LIKE, ILIKE), creation/last-updated times and <c>metrics.</c> (numeric); order_by as MLflow 3 sends it,
/// <c>[{field_name, ascending, dataset_name, dataset_digest}]</c> (default newest first, tie-break model_id); offset page tokens.
/// As in MLflow's SQL store, a metric filter matches a model with any such point (on one of the request's datasets, when
/// it names some), and ordering by a metric uses each model's most recent point (models without one last).
/// </summary>
internal sealed class LoggedModelSearch(NpgsqlDataSource dataSource, ExperimentIds experimentTable)
{
    public const int DefaultMaxResults = 100;
    public const int MaxResultsLimit = 1000;

    public async Task<(IReadOnlyList<LoggedModel> Models, string? NextPageToken)> SearchAsync(
        long projectId, SearchLoggedModelsRequest request, CancellationToken cancellationToken)
    {
        var maxResults = MaxResults.Resolve(request.MaxResults, DefaultMaxResults, MaxResultsLimit);
        var iids = (request.ExperimentIds ?? []).Select(id => ExperimentSql.ParseId(id)
            ?? throw FilterParser.Invalid($"Invalid experiment id '{id}': experiment ids are integers.")).ToArray();
        var datasets = (request.Datasets ?? []).Select(d => d?.DatasetName is { Length: > 0 } name
            ? new DatasetFilter(name, string.IsNullOrEmpty(d.DatasetDigest) ? null : d.DatasetDigest)
            : throw FilterParser.Invalid("`dataset_name` in the `datasets` clause must be specified.")).ToList();
        var orderBy = (request.OrderBy ?? []).Select(o => o ?? throw FilterParser.Invalid("'order_by' contains a null entry.")).ToList();
        var query = string.Join('\n', [string.Join(',', iids), request.Filter, .. datasets.Select(d => $"{d.Name}\t{d.Digest}"),
            .. orderBy.Select(o => $"{o.FieldName}\t{o.Ascending}\t{o.DatasetName}\t{o.DatasetDigest}")]);
        // Offsets for the reason RunSearch gives: the order may be a metric's latest point per model (optionally on a
        // dataset), a nullable correlated subquery that a keyset cannot compare through an index.
        var offset = (long?)PageToken.Decode(request.PageToken, query, [typeof(long)])?[0] ?? 0;

        var parameters = new SqlParameters();
        var clauses = FilterParser.Parse(request.Filter);
        var where = new SearchWhere(parameters, "logged model",
                "name, status, model_type, source_run_id, creation_timestamp, last_updated_timestamp, tags.<key>, params.<key> and metrics.<key>")
            .And("lm.deleted_at IS NULL")
            .AndFilter(clauses, clause => Field(clause.Identifier, datasets, parameters))
            .And(datasets.Count > 0 && !clauses.Any(c => c.Identifier.Kind == IdentifierKind.Metric)
                ? $"EXISTS (SELECT 1 FROM ml_logged_model_metrics mm WHERE mm.logged_model_id = lm.id AND {OnDatasets(datasets, parameters)})"
                : null);
        var order = orderBy.Select(o => $"{OrderExpression(o, parameters)} {(o.Ascending == false ? "DESC" : "ASC")} NULLS LAST").ToList();
        if (!orderBy.Any(o => o.FieldName is "creation_timestamp" or "creation_timestamp_ms" or "creation_time"))
        {
            order.Add("lm.created_at DESC");
        }
        var experiments = await experimentTable.ResolveAsync(projectId, iids, cancellationToken);
        if (experiments.Length == 0)
        {
            return ([], null);
        }
        where.And($"lm.project_id = {parameters.Add(projectId)}").And($"lm.experiment_id = ANY({parameters.Add(experiments)})");

        await using var batch = CustomPlans.Batch(dataSource,
            $"""
            SELECT {LoggedModelSql.Json} FROM {LoggedModelSql.From}
            WHERE {where} ORDER BY {string.Join(", ", order)}, lm.model_id
            LIMIT {parameters.Add(maxResults + 1)} OFFSET {parameters.Add(offset)}
            """, parameters);
        var models = new List<LoggedModel>();
        await using (var reader = await CustomPlans.ReadAsync(batch, cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                models.Add(LoggedModelSql.Parse(reader.GetString(0)));
            }
        }
        if (models.Count <= maxResults)
        {
            return (models, null);
        }
        models.RemoveAt(maxResults);
        return (models, PageToken.Encode(query, [offset + maxResults]));
    }

    private sealed record DatasetFilter(string Name, string? Digest);

    private static FilterField? Field(Identifier identifier, IReadOnlyList<DatasetFilter> datasets, SqlParameters parameters) => identifier switch
    {
        { Kind: IdentifierKind.Metric } => FilterField.Number((op, value, _) =>
            $"EXISTS (SELECT 1 FROM ml_logged_model_metrics mm WHERE mm.logged_model_id = lm.id AND mm.name = {parameters.Add(identifier.Key)} " +
            $"AND mm.value {op} {value}{(datasets.Count > 0 ? $" AND {OnDatasets(datasets, parameters)}" : "")})"),
        { Kind: IdentifierKind.Attribute, Key: "creation_timestamp" or "creation_time" or "last_updated_timestamp" } =>
            FilterField.Number(Column(identifier.Key), FilterValue.Timestamp),
        { Kind: IdentifierKind.Tag } => FilterField.Text((op, value, _) =>
            $"EXISTS (SELECT 1 FROM ml_logged_model_tags t WHERE t.logged_model_id = lm.id AND t.name = {parameters.Add(identifier.Key)} AND t.value {op} {value})"),
        { Kind: IdentifierKind.Param } => FilterField.Text((op, value, _) =>
            $"EXISTS (SELECT 1 FROM ml_logged_model_params p WHERE p.logged_model_id = lm.id AND p.name = {parameters.Add(identifier.Key)} AND p.value {op} {value})"),
        { Kind: IdentifierKind.Attribute, Key: "name" or "status" or "model_type" or "source_run_id" or "model_id" } => FilterField.Text($"lm.{identifier.Key}"),
        _ => null,
    };

    /// <summary>A point <c>mm</c> computed on one of the datasets (by name, and by digest where one is given).</summary>
    private static string OnDatasets(IReadOnlyList<DatasetFilter> datasets, SqlParameters parameters) =>
        "(" + string.Join(" OR ", datasets.Select(d => d.Digest is null
            ? $"mm.dataset_name = {parameters.Add(d.Name)}"
            : $"(mm.dataset_name = {parameters.Add(d.Name)} AND mm.dataset_digest = {parameters.Add(d.Digest)})")) + ")";

    private static string OrderExpression(LoggedModelOrderBy order, SqlParameters parameters)
    {
        if (order.FieldName is not { } field || !field.StartsWith("metrics.", StringComparison.Ordinal))
        {
            return order.DatasetName is null ? Column(order.FieldName) : throw FilterParser.Invalid("dataset_name may only be set when ordering by a metric.");
        }
        if (order.DatasetName is null && order.DatasetDigest is not null)
        {
            throw FilterParser.Invalid("dataset_digest may only be set together with dataset_name.");
        }
        var datasets = order.DatasetName is null ? "" : $" AND {OnDatasets([new DatasetFilter(order.DatasetName, order.DatasetDigest)], parameters)}";
        return $"(SELECT mm.value FROM ml_logged_model_metrics mm WHERE mm.logged_model_id = lm.id AND mm.name = {parameters.Add(field["metrics.".Length..])}{datasets} " +
               "ORDER BY mm.timestamp DESC, mm.step DESC LIMIT 1)";
    }

    private static string Column(string? field) => field switch
    {
        "name" => "lm.name",
        "creation_timestamp" or "creation_timestamp_ms" or "creation_time" => "lm.created_at",
        "last_updated_timestamp" or "last_updated_timestamp_ms" => "lm.updated_at",
        "model_id" => "lm.model_id",
        _ => throw FilterParser.Invalid($"Invalid order_by field '{field}'; use name, creation_timestamp, last_updated_timestamp, model_id or metrics.<key>."),
    };
}
