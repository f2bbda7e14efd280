-- RegisteredModelStore.CreateSql with its parameters filled in (a unit test keeps the two identical):
-- a unique name per transaction and the two tags the API scenario sends. Its audit row and webhook events are part of
-- the statement; pgbench names no actor, so its audit rows name nobody.
\set n random(1, 1000000000000)
WITH model_taken AS (
    SELECT 1 FROM ml_models WHERE project_id = 1 AND name = ('pgb-' || :client_id || '-' || :n)
), experiment_taken AS (
    SELECT 1 FROM ml_experiments WHERE project_id = 1 AND name = ('[model]pgb-' || :client_id || '-' || :n)
), next_iid AS (
    UPDATE projects SET last_experiment_iid = last_experiment_iid + 1
    WHERE id = 1 AND NOT EXISTS (SELECT 1 FROM model_taken) AND NOT EXISTS (SELECT 1 FROM experiment_taken)
    RETURNING last_experiment_iid
), experiment AS (
    INSERT INTO ml_experiments (project_id, iid, name, user_id, created_at, updated_at)
    SELECT 1, last_experiment_iid, ('[model]pgb-' || :client_id || '-' || :n), 1, now(), now() FROM next_iid
    RETURNING id
), model AS (
    INSERT INTO ml_models (project_id, name, description, user_id, default_experiment_id, created_at, updated_at)
    SELECT 1, ('pgb-' || :client_id || '-' || :n), NULL, 1, id, now(), now() FROM experiment
    RETURNING id
), tags AS (
    INSERT INTO ml_model_metadata (model_id, name, value, created_at, updated_at)
    SELECT model.id, tag.key, tag.value, now(), now() FROM model, unnest('{team,stage}'::text[], '{ml,dev}'::text[]) AS tag(key, value)
), audit AS (
    INSERT INTO audit_events (entity_type, entity_id, entity_path, event_name, target_type, target_id, target_details, changes,
                          author_id, author_name, token_id, ip_address, request_id, via)
SELECT 'Project', 1, (SELECT name FROM projects WHERE id = 1), 'registered_model_created', 'RegisteredModel', (model.id)::text, (('pgb-' || :client_id || '-' || :n))::text, (SELECT jsonb_object_agg(c.field, jsonb_build_object('from', c.before, 'to', c.after))
 FROM (VALUES
        ('name', NULL::jsonb, to_jsonb(('pgb-' || :client_id || '-' || :n)::text)),
        ('description', NULL::jsonb, to_jsonb(NULL::text)),
        ('tags', NULL::jsonb, to_jsonb(COALESCE((SELECT json_object_agg(t.key, t.value ORDER BY t.ordinality)
          FROM unnest('{team,stage}'::text[], '{ml,dev}'::text[]) WITH ORDINALITY AS t(key, value, ordinality)
          WHERE t.key <> ALL (ARRAY[]::text[])), json_build_object())))) AS c(field, before, after)
 WHERE c.before IS DISTINCT FROM c.after),
       actor.author_id, actor.author_name, actor.token_id, actor.ip_address, actor.request_id, actor.via
FROM model, registry_actor() actor
), hook AS (
    INSERT INTO webhook_events (project_id, event, payload, webhook_ids)
SELECT e.project_id, e.event, e.payload, subscribed.ids
FROM (SELECT (1)::bigint AS project_id, (CASE WHEN 'mlflow.prompt.is_prompt' = ANY ('{team,stage}'::text[]) THEN 'prompt.created' ELSE 'registered_model.created' END)::text AS event, json_build_object('name', ('pgb-' || :client_id || '-' || :n)::text,
    'tags', CASE WHEN 'mlflow.prompt.is_prompt' = ANY ('{team,stage}'::text[]) THEN COALESCE((SELECT json_object_agg(t.key, t.value ORDER BY t.ordinality)
          FROM unnest('{team,stage}'::text[], '{ml,dev}'::text[]) WITH ORDINALITY AS t(key, value, ordinality)
          WHERE t.key <> ALL (ARRAY['mlflow.prompt.is_prompt', '_mlflow_prompt_type'])), json_build_object())
                 ELSE COALESCE((SELECT json_object_agg(t.key, t.value ORDER BY t.ordinality)
          FROM unnest('{team,stage}'::text[], '{ml,dev}'::text[]) WITH ORDINALITY AS t(key, value, ordinality)
          WHERE t.key <> ALL (ARRAY[]::text[])), json_build_object()) END,
    'description', COALESCE(NULL::text, '')) AS payload FROM model) e
CROSS JOIN LATERAL (
    SELECT array_agg(w.id) AS ids FROM webhooks w
    WHERE w.project_id = e.project_id AND w.status = 'ACTIVE' AND e.event = ANY (w.events)) subscribed
WHERE subscribed.ids IS NOT NULL
)
SELECT EXISTS (SELECT 1 FROM model), EXISTS (SELECT 1 FROM model_taken);
