using System.Text.RegularExpressions;

namespace Registry.Api.Changes;

/// <summary>GitLab's audit entities: a project (what happens inside it) or a user (their account and tokens).</summary>
internal enum AuditEntity { Project, User }

/// <summary>
/// SQL fragments that make a write statement record its audit event (GitLab's shape, <c>audit_events</c>). Arguments are
/// SQL expressions over the write's own CTEs and parameters; nothing a client sent is ever spliced in.
/// </summary>
internal static partial class AuditSql
{
    /// <summary>
    /// The body of a CTE (<c>audit AS (...)</c>) inserting one audit event per row of <paramref name="from"/>, with the
    /// actor <see cref="Recording.CreateRecordedBatch"/> named; none when <paramref name="from"/> is empty (nothing changed).
    /// </summary>
    /// <param name="from">A FROM list over the write's CTEs, one row per change.</param>
    /// <param name="eventName">What happened, snake_case: <c>model_version_created</c>.</param>
    /// <param name="entityId">SQL: the project's or the user's id.</param>
    /// <param name="targetType">What was changed: <c>ModelVersion</c>.</param>
    /// <param name="targetId">SQL text: its id.</param>
    /// <param name="targetDetails">SQL text: how a person names it (<c>model/3</c>).</param>
    /// <param name="changes">SQL jsonb: the changed fields (<see cref="Changes"/>), or NULL.</param>
    /// <param name="entityPath">SQL text: the entity's name, for an entity the statement itself creates or deletes (its
    /// own snapshot cannot look it up); by default it is looked up.</param>
    public static string Insert(
        string from, string eventName, AuditEntity entity, string entityId, string targetType, string targetId, string targetDetails,
        string changes = "NULL", string? entityPath = null)
    {
        if (!Identifier().IsMatch(eventName) || !Identifier().IsMatch(targetType))
        {
            throw new ArgumentException($"Audit event and target names are identifiers: '{eventName}', '{targetType}'.");
        }
        var path = entityPath ?? (entity == AuditEntity.Project
            ? $"(SELECT name FROM projects WHERE id = {entityId})"
            : $"(SELECT username FROM users WHERE id = {entityId})");
        return $"""
            INSERT INTO audit_events (entity_type, entity_id, entity_path, event_name, target_type, target_id, target_details, changes,
                                      author_id, author_name, token_id, ip_address, request_id, via)
            SELECT '{entity}', {entityId}, {path}, '{eventName}', '{targetType}', ({targetId})::text, ({targetDetails})::text, {changes},
                   actor.author_id, actor.author_name, actor.token_id, actor.ip_address, actor.request_id, actor.via
            FROM {from}, registry_actor() actor
            """;
    }

    /// <summary>
    /// SQL jsonb of the fields that differ: <c>{"field": {"from": before, "to": after}}</c>, or NULL when none does.
    /// Each change is (name, before SQL, after SQL); a create has before NULL, a delete after NULL.
    /// </summary>
    public static string Changes(params (string Field, string Before, string After)[] changes)
    {
        var rows = string.Join(",\n        ", changes.Select(c =>
            Identifier().IsMatch(c.Field)
                ? $"('{c.Field}', {Json(c.Before)}, {Json(c.After)})"
                : throw new ArgumentException($"Field names are identifiers: '{c.Field}'.")));
        return $"""
            (SELECT jsonb_object_agg(c.field, jsonb_build_object('from', c.before, 'to', c.after))
             FROM (VALUES
                    {rows}) AS c(field, before, after)
             WHERE c.before IS DISTINCT FROM c.after)
            """;
    }

    /// <summary>
    /// SQL jsonb of one change to a keyed member (a tag, an alias): <c>{"tags.&lt;key&gt;": {"from": ..., "to": ...}}</c>,
    /// or NULL when it did not change. The key is SQL (a parameter), never spliced.
    /// </summary>
    public static string KeyedChange(string collection, string key, string before, string after) =>
        Identifier().IsMatch(collection)
            ? $"CASE WHEN ({before}) IS DISTINCT FROM ({after}) THEN jsonb_build_object('{collection}.' || {key}, jsonb_build_object('from', {Json(before)}, 'to', {Json(after)})) END"
            : throw new ArgumentException($"Collection names are identifiers: '{collection}'.");

    /// <summary>An untyped NULL has no JSON form of its own.</summary>
    private static string Json(string sql) => sql == "NULL" ? "NULL::jsonb" : $"to_jsonb({sql})";

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]*$")]
    private static partial Regex Identifier();
}
