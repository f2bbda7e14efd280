using System.Globalization;
using System.Text.Json;
using Npgsql;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Sql;

namespace Registry.Api.Features.Audit;

/// <summary>What a listing of audit events asks for; every filter is optional.</summary>
internal sealed record AuditQuery(
    string? EntityType, long? EntityId, long? AuthorId, DateTime? CreatedAfter, DateTime? CreatedBefore, long? BeforeId, int PerPage, long? Id = null)
;

/// <summary>Reads the audit trail newest first, keyset-paged on the id, with only the filters asked for in the SQL.</summary>
internal sealed class AuditStore(NpgsqlDataSource dataSource)
{
    private static readonly SqlColumns Select = new();
    private static readonly int Id = Select.Add("id");
    private static readonly int AuthorId = Select.Add("author_id");
    private static readonly int EntityId = Select.Add("entity_id");
    private static readonly int EntityType = Select.Add("entity_type");
    private static readonly int EventName = Select.Add("event_name");
    private static readonly int CreatedAt = Select.Add("created_at");
    private static readonly int AuthorName = Select.Add("author_name");
    private static readonly int TargetId = Select.Add("target_id");
    private static readonly int TargetType = Select.Add("target_type");
    private static readonly int TargetDetails = Select.Add("target_details");
    private static readonly int IpAddress = Select.Add("ip_address");
    private static readonly int EntityPath = Select.Add("entity_path");
    private static readonly int Changes = Select.Add("changes::text");
    private static readonly int TokenId = Select.Add("token_id");
    private static readonly int RequestId = Select.Add("request_id");
    private static readonly int Via = Select.Add("via");

    public async Task<IReadOnlyList<AuditEventDto>> ListAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var where = new List<string>();
        if (query.Id is { } id) where.Add($"id = {sql.Add(id)}");
        if (query.EntityType is { } type) where.Add($"entity_type = {sql.Add(type)}");
        if (query.EntityId is { } entity) where.Add($"entity_id = {sql.Add(entity)}");
        if (query.AuthorId is { } author) where.Add($"author_id = {sql.Add(author)}");
        if (query.CreatedAfter is { } after) where.Add($"created_at >= {sql.Add(after)}");
        if (query.CreatedBefore is { } before) where.Add($"created_at <= {sql.Add(before)}");
        if (query.BeforeId is { } cursor) where.Add($"id < {sql.Add(cursor)}");
        await using var command = sql.Command(dataSource,
            $"SELECT {Select.Sql} FROM audit_events{(where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where))} ORDER BY id DESC LIMIT {sql.Add(query.PerPage)}");

        var events = new List<AuditEventDto>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(Read(reader));
        }
        return events;
    }

    /// <summary>One event by id; with <paramref name="projectId"/>, only if it is that project's.</summary>
    public async Task<Outcome<AuditEventDto>> FindAsync(long id, long? projectId, CancellationToken cancellationToken) =>
        await ListAsync(new AuditQuery(projectId is null ? null : "Project", projectId, null, null, null, null, 1, id), cancellationToken) is [var found]
            ? found
            : MlflowError.ResourceDoesNotExist("Audit event not found.");

    private static AuditEventDto Read(NpgsqlDataReader r)
    {
        string? Text(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        long? Long(int i) => r.IsDBNull(i) ? null : r.GetInt64(i);
        var eventName = r.GetString(EventName);
        var changes = r.IsDBNull(Changes) ? (JsonElement?)null : JsonDocument.Parse(r.GetString(Changes)).RootElement.Clone();
        var single = changes is { } all && all.EnumerateObject().ToList() is [var only] ? only : (JsonProperty?)null;
        return new AuditEventDto(
            r.GetInt64(Id), Long(AuthorId), r.GetInt64(EntityId), r.GetString(EntityType), eventName,
            new AuditEventDetails(
                CustomMessage(eventName), Text(AuthorName), Text(TargetId), r.GetString(TargetType), Text(TargetDetails), Text(IpAddress), Text(EntityPath),
                single?.Name, single?.Value.GetProperty("from"), single?.Value.GetProperty("to"), changes,
                Long(TokenId), Text(RequestId), Text(Via)),
            r.GetDateTime(CreatedAt).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
    }

    /// <summary>GitLab's human-readable line: the event's name as a sentence ("model_version_created" reads "Model version created").</summary>
    private static string CustomMessage(string eventName) => char.ToUpperInvariant(eventName[0]) + eventName[1..].Replace('_', ' ');
}
