using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Registry.Api.Features.Audit;

/// <summary>What a listing of audit events asks for; every filter is optional.</summary>
internal sealed record AuditQuery(
    string? EntityType, long? EntityId, long? AuthorId, DateTime? CreatedAfter, DateTime? CreatedBefore, long? BeforeId, int PerPage, long? Id = null);

/// <summary>Reads the audit trail newest first, keyset-paged on the id, with only the filters asked for in the SQL.</summary>
internal sealed class AuditStore(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<AuditEventDto>> ListAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand();
        var where = new List<string>();
        void Filter(string condition, NpgsqlParameter value)
        {
            command.Parameters.Add(value);
            where.Add(condition.Replace("@", $"${command.Parameters.Count}", StringComparison.Ordinal));
        }
        if (query.Id is { } id) Filter("id = @", new NpgsqlParameter<long> { TypedValue = id });
        if (query.EntityType is { } type) Filter("entity_type = @", new NpgsqlParameter<string> { TypedValue = type });
        if (query.EntityId is { } entity) Filter("entity_id = @", new NpgsqlParameter<long> { TypedValue = entity });
        if (query.AuthorId is { } author) Filter("author_id = @", new NpgsqlParameter<long> { TypedValue = author });
        if (query.CreatedAfter is { } after) Filter("created_at >= @", new NpgsqlParameter<DateTime> { TypedValue = after });
        if (query.CreatedBefore is { } before) Filter("created_at <= @", new NpgsqlParameter<DateTime> { TypedValue = before });
        if (query.BeforeId is { } cursor) Filter("id < @", new NpgsqlParameter<long> { TypedValue = cursor });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = query.PerPage });
        command.CommandText = new StringBuilder(
                """
                SELECT id, author_id, entity_id, entity_type, event_name, created_at, author_name, target_id, target_type, target_details,
                       ip_address, entity_path, changes::text, token_id, request_id, via
                FROM audit_events
                """)
            .Append(where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where))
            .Append(CultureInfo.InvariantCulture, $" ORDER BY id DESC LIMIT ${command.Parameters.Count}")
            .ToString();

        var events = new List<AuditEventDto>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(Read(reader));
        }
        return events;
    }

    private static AuditEventDto Read(NpgsqlDataReader r)
    {
        string? Text(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        var eventName = r.GetString(4);
        var changes = r.IsDBNull(12) ? (JsonElement?)null : JsonDocument.Parse(r.GetString(12)).RootElement.Clone();
        var single = changes is { } all && all.EnumerateObject().ToList() is [var only] ? only : (JsonProperty?)null;
        return new AuditEventDto(
            r.GetInt64(0), r.IsDBNull(1) ? null : r.GetInt64(1), r.GetInt64(2), r.GetString(3), eventName,
            new AuditEventDetails(
                CustomMessage(eventName), Text(6), Text(7), r.GetString(8), Text(9), Text(10), Text(11),
                single?.Name, single?.Value.GetProperty("from"), single?.Value.GetProperty("to"), changes,
                r.IsDBNull(13) ? null : r.GetInt64(13), Text(14), Text(15)),
            r.GetDateTime(5).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
    }

    /// <summary>GitLab's human-readable line: the event's name as a sentence ("model_version_created" reads "Model version created").</summary>
    private static string CustomMessage(string eventName) => char.ToUpperInvariant(eventName[0]) + eventName[1..].Replace('_', ' ');
}
