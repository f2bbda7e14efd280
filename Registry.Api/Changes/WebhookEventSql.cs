using Registry.Api.Mlflow;

namespace Registry.Api.Changes;

/// <summary>
/// SQL fragments that make a registry write statement put its webhook event in the outbox (<c>webhook_events</c>): one
/// row per changed row, naming the project's active webhooks subscribed to the event (none: no row); the dispatcher makes
/// one delivery per webhook of it. Payloads are MLflow 3.11's
/// (<c>mlflow/webhooks/types.py</c>, sent from <c>mlflow/server/handlers.py</c>), built by PostgreSQL from the write's own
/// values. Arguments are SQL expressions over the write's CTEs and parameters.
/// </summary>
internal static class WebhookEventSql
{
    private const string IsPromptTag = $"'{ReservedKeys.IsPrompt}'";

    /// <summary>Tags MLflow leaves out of prompt payloads: the prompt marker and type (and the template, sent on its own).</summary>
    private const string PromptTagKeys = $"ARRAY[{IsPromptTag}, '{ReservedKeys.PromptType}', '{ReservedKeys.PromptText}']";

    /// <summary>The tags MLflow leaves out of a prompt's created payload: the prompt marker and type.</summary>
    private const string PromptMarkerKeys = $"ARRAY[{IsPromptTag}, '{ReservedKeys.PromptType}']";

    /// <summary>The body of a CTE putting <paramref name="event"/> in the outbox (SQL text; NULL sends nothing).</summary>
    /// <param name="from">A FROM list over the write's CTEs, one row per change.</param>
    public static string Insert(string from, string projectId, Event @event) =>
        $"""
        INSERT INTO webhook_events (project_id, event, payload, webhook_ids)
        SELECT e.project_id, e.event, e.payload, subscribed.ids
        FROM (SELECT ({projectId})::bigint AS project_id, ({@event.Name})::text AS event, {@event.Payload} AS payload FROM {from}) e
        CROSS JOIN LATERAL (
            SELECT array_agg(w.id) AS ids FROM webhooks w
            WHERE w.project_id = e.project_id AND w.status = 'ACTIVE' AND e.event = ANY (w.events)) subscribed
        WHERE subscribed.ids IS NOT NULL
        """;

    /// <summary>An event: its name and its payload (MLflow's <c>data</c>), as SQL.</summary>
    public readonly record struct Event(string Name, string Payload);

    /// <summary>registered-models/create: a prompt if its tags carry the prompt marker (MLflow's <c>_is_prompt_request</c>).</summary>
    public static Event RegisteredModelCreated(string name, string description, string tagKeys, string tagValues)
    {
        var prompt = $"{IsPromptTag} = ANY ({tagKeys}::text[])";
        // MLflow sends the request's description, which is "" when none was given.
        return new(
            $"CASE WHEN {prompt} THEN '{WebhookEvents.PromptCreated}' ELSE '{WebhookEvents.RegisteredModelCreated}' END",
            $"""
            json_build_object('name', {name},
                'tags', CASE WHEN {prompt} THEN {Tags(tagKeys, tagValues, PromptMarkerKeys)}
                             ELSE {Tags(tagKeys, tagValues)} END,
                'description', COALESCE({description}, ''))
            """);
    }

    /// <summary>model-versions/create: a prompt version if its own tags carry the prompt marker, as MLflow decides.</summary>
    public static Event ModelVersionCreated(string name, string version, string source, string runId, string description, string tagKeys, string tagValues)
    {
        var prompt = $"{IsPromptTag} = ANY ({tagKeys}::text[])";
        return new(
            $"CASE WHEN {prompt} THEN '{WebhookEvents.PromptVersionCreated}' ELSE '{WebhookEvents.ModelVersionCreated}' END",
            $"""
            CASE WHEN {prompt}
                THEN json_build_object('name', {name}, 'version', ({version})::text,
                    'template', (SELECT t.value FROM unnest({tagKeys}::text[], {tagValues}::text[]) AS t(key, value)
                                 WHERE t.key = '{ReservedKeys.PromptText}' LIMIT 1),
                    'tags', {Tags(tagKeys, tagValues, PromptTagKeys)},
                    'description', NULLIF({description}, ''))
                ELSE json_build_object('name', {name}, 'version', ({version})::text, 'source', {source}, 'run_id', NULLIF({runId}, ''),
                    'tags', {Tags(tagKeys, tagValues)}, 'description', NULLIF({description}, ''))
            END
            """);
    }

    /// <summary>model-versions/set-tag of a version of model <paramref name="modelId"/>.</summary>
    public static Event ModelVersionTagSet(string modelId, string name, string version, string key, string value) => new(
        $"CASE WHEN {IsPrompt(modelId)} THEN '{WebhookEvents.PromptVersionTagSet}' ELSE '{WebhookEvents.ModelVersionTagSet}' END",
        $"json_build_object('name', {name}, 'version', ({version})::text, 'key', {key}, 'value', {value})");

    public static Event ModelVersionTagDeleted(string modelId, string name, string version, string key) => new(
        $"CASE WHEN {IsPrompt(modelId)} THEN '{WebhookEvents.PromptVersionTagDeleted}' ELSE '{WebhookEvents.ModelVersionTagDeleted}' END",
        $"json_build_object('name', {name}, 'version', ({version})::text, 'key', {key})");

    public static Event AliasCreated(string modelId, string name, string alias, string version) => new(
        $"CASE WHEN {IsPrompt(modelId)} THEN '{WebhookEvents.PromptAliasCreated}' ELSE '{WebhookEvents.ModelVersionAliasCreated}' END",
        $"json_build_object('name', {name}, 'alias', {alias}, 'version', ({version})::text)");

    public static Event AliasDeleted(string modelId, string name, string alias) => new(
        $"CASE WHEN {IsPrompt(modelId)} THEN '{WebhookEvents.PromptAliasDeleted}' ELSE '{WebhookEvents.ModelVersionAliasDeleted}' END",
        $"json_build_object('name', {name}, 'alias', {alias})");

    /// <summary>
    /// registered-models/set-tag: MLflow sends an event only for prompts. The tag being set may itself make the model a
    /// prompt (or stop it being one); MLflow looks after the change, and so does this.
    /// </summary>
    public static Event RegisteredModelTagSet(string modelId, string name, string key, string value) => new(
        $"""
        CASE WHEN CASE WHEN {key} = {IsPromptTag} THEN lower({value}) = 'true' ELSE {IsPrompt(modelId)} END
             THEN '{WebhookEvents.PromptTagSet}' END
        """,
        $"json_build_object('name', {name}, 'key', {key}, 'value', {value})");

    public static Event RegisteredModelTagDeleted(string modelId, string name, string key) => new(
        $"CASE WHEN {key} <> {IsPromptTag} AND {IsPrompt(modelId)} THEN '{WebhookEvents.PromptTagDeleted}' END",
        $"json_build_object('name', {name}, 'key', {key})");

    /// <summary>Ours: a version moved from one stage to another, and the versions that moving archived.</summary>
    /// <param name="archivedVersions">SQL: the archived versions' numbers as an array (int[] or text[]).</param>
    public static Event StageTransitioned(string name, string version, string fromStage, string toStage, string archivedVersions) => new(
        $"'{WebhookEvents.ModelVersionStageTransitioned}'",
        $"""
        json_build_object('name', {name}, 'version', ({version})::text, 'from_stage', {fromStage}, 'to_stage', {toStage},
            'archived_versions', COALESCE((SELECT json_agg(a::text ORDER BY a::text::int) FROM unnest({archivedVersions}) AS a), '[]'::json))
        """);

    /// <summary>MLflow's <c>RegisteredModel._is_prompt</c>: the model's prompt marker tag is "true", whatever its case.</summary>
    private static string IsPrompt(string modelId) =>
        $"EXISTS (SELECT 1 FROM ml_model_metadata p WHERE p.model_id = {modelId} AND p.name = {IsPromptTag} AND lower(p.value) = 'true')";

    /// <summary>The request's tags (text[] keys and values) as a JSON object in the request's order, without <paramref name="except"/>.</summary>
    public static string Tags(string keys, string values, string except = "ARRAY[]::text[]") =>
        $"""
        COALESCE((SELECT json_object_agg(t.key, t.value ORDER BY t.ordinality)
                  FROM unnest({keys}::text[], {values}::text[]) WITH ORDINALITY AS t(key, value, ordinality)
                  WHERE t.key <> ALL ({except})), json_build_object())
        """;
}
