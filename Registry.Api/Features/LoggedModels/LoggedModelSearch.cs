using System.Text;
using Npgsql;
using Registry.Api.Features.Experiments;
using Registry.Api.Mlflow.Search;

namespace Registry.Api.Features.LoggedModels;

/// <summary>
/// <c>logged-models/search</c>: filter over name, status, model_type, source_run_id, <c>tags.</c>, <c>params.</c>
/// (=, !=, LIKE, ILIKE) and creation/last-updated times (numeric); order_by as MLflow 3 sends it,
/// <c>[{field_name, ascending}]</c> (default newest first, tie-break model_id); offset page tokens.
/// </summary>
internal sealed class LoggedModelSearch(NpgsqlDataSource dataSource, ExperimentIds experimentTable)
{
    public const int DefaultMaxResults = 100;
    public const int MaxResultsLimit = 1000;

    private static readonly string[] StringOperators = ["=", "!=", "LIKE", "ILIKE"];
    private static readonly string[] NumberOperators = ["=", "!=", "<", "<=", ">", ">="];

    public async Task<(IReadOnlyList<LoggedModel> Models, string? NextPageToken)> SearchAsync(
        long projectId, SearchLoggedModelsRequest request, CancellationToken cancellationToken)
    {
        var maxResults = MaxResults.Resolve(request.MaxResults, DefaultMaxResults, MaxResultsLimit);
        var iids = (request.ExperimentIds ?? []).Select(id => ExperimentSql.ParseId(id)
            ?? throw FilterParser.Invalid($"Invalid experiment id '{id}': experiment ids are integers.")).ToArray();
        var order = (request.OrderBy ?? []).Select(o => $"{Column(o?.FieldName)} {(o?.Ascending == false ? "DESC" : "ASC")}").ToList();
        if (order.Count == 0) order.Add("lm.created_at DESC");
        var query = $"{string.Join(',', iids)}\n{request.Filter}\n{string.Join(',', order)}";
        var offset = (long?)PageToken.Decode(request.PageToken, query, [typeof(long)])?[0] ?? 0;

        var parameters = new SqlParameters();
        var where = new StringBuilder("lm.deleted_at IS NULL");
        foreach (var clause in FilterParser.Parse(request.Filter))
        {
            where.Append(" AND ").Append(Condition(clause, parameters));
        }
        var experiments = await experimentTable.ResolveAsync(projectId, iids, cancellationToken);
        if (experiments.Length == 0)
        {
            return ([], null);
        }
        where.Append($" AND lm.project_id = {parameters.Add(projectId)} AND lm.experiment_id = ANY({parameters.Add(experiments)})");

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

    private static string Condition(FilterClause clause, SqlParameters parameters)
    {
        var (identifier, op, value) = (clause.Identifier, clause.Operator, clause.Value);
        var sqlOp = op == "!=" ? "<>" : op;
        if (identifier is { Kind: IdentifierKind.Attribute, Key: "creation_timestamp" or "creation_time" or "last_updated_timestamp" })
        {
            if (!NumberOperators.Contains(op) || value is not double millis)
            {
                throw FilterParser.Invalid($"{identifier.Key} is compared with =, !=, <, <=, > or >= against a number of milliseconds.");
            }
            return $"{Column(identifier.Key)} {sqlOp} {parameters.Add(Mlflow.Timestamps.FromMillis(millis))}";
        }
        if (!StringOperators.Contains(op) || value is not string text)
        {
            throw FilterParser.Invalid($"'{identifier}' is compared with =, !=, LIKE or ILIKE against a quoted string.");
        }
        return identifier switch
        {
            { Kind: IdentifierKind.Tag } =>
                $"EXISTS (SELECT 1 FROM ml_logged_model_tags t WHERE t.logged_model_id = lm.id AND t.name = {parameters.Add(identifier.Key)} AND t.value {sqlOp} {parameters.Add(text)})",
            { Kind: IdentifierKind.Param } =>
                $"EXISTS (SELECT 1 FROM ml_logged_model_params p WHERE p.logged_model_id = lm.id AND p.name = {parameters.Add(identifier.Key)} AND p.value {sqlOp} {parameters.Add(text)})",
            { Kind: IdentifierKind.Attribute, Key: "name" or "status" or "model_type" or "source_run_id" or "model_id" } =>
                $"lm.{identifier.Key} {sqlOp} {parameters.Add(text)}",
            _ => throw FilterParser.Invalid($"Invalid filter key '{identifier}'; logged model searches filter on name, status, model_type, source_run_id, creation_timestamp, last_updated_timestamp, tags.<key> and params.<key>."),
        };
    }

    private static string Column(string? field) => field switch
    {
        "name" => "lm.name",
        "creation_timestamp" or "creation_timestamp_ms" or "creation_time" => "lm.created_at",
        "last_updated_timestamp" or "last_updated_timestamp_ms" => "lm.updated_at",
        "model_id" => "lm.model_id",
        _ => throw FilterParser.Invalid($"Invalid order_by field '{field}'; use name, creation_timestamp, last_updated_timestamp or model_id."),
    };
}
