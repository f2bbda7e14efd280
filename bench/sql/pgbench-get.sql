-- RegisteredModelStore.FindSql with its parameters filled in (a unit test keeps the two identical).
\set i random(1, 100000)
SELECT m.name, m.created_at, m.updated_at, m.description, m.user_id, tags.keys, tags.values, COALESCE((
    SELECT json_strip_nulls(json_agg(latest.version ORDER BY latest.number))
    FROM unnest(ARRAY['None', 'Staging', 'Production', 'Archived']) AS stage(name)
    CROSS JOIN LATERAL (
        SELECT json_build_object(
    'name', m.name,
    'version', v.version::text,
    'creation_timestamp', (extract(epoch FROM v.created_at) * 1000)::bigint,
    'last_updated_timestamp', (extract(epoch FROM v.updated_at) * 1000)::bigint,
    'user_id', v.user_id::text,
    'current_stage', v.current_stage,
    'description', v.description,
    'source', v.source,
    'run_id', v.run_id,
    'status', v.status,
    'status_message', v.status_message,
    'tags', COALESCE((SELECT json_agg(json_build_object('key', t.name, 'value', t.value) ORDER BY t.name)
                      FROM ml_model_version_metadata t WHERE t.model_version_id = v.id), '[]'::json),
    'run_link', v.run_link,
    'aliases', COALESCE((SELECT json_agg(a.alias ORDER BY a.alias)
                         FROM ml_model_version_aliases a WHERE a.model_version_id = v.id), '[]'::json),
    'model_id', v.logged_model_id) AS version, v.version AS number
        FROM ml_model_versions v
        WHERE v.model_id = m.id AND v.current_stage = stage.name
        ORDER BY v.version DESC LIMIT 1
    ) latest
), '[]'::json)::text, aliases.names, aliases.versions FROM ml_models m LEFT JOIN LATERAL (
    SELECT array_agg(t.name ORDER BY t.name) AS keys, array_agg(t.value ORDER BY t.name) AS values
    FROM ml_model_metadata t WHERE t.model_id = m.id
) tags ON true
LEFT JOIN LATERAL (
    SELECT array_agg(a.alias ORDER BY a.alias) AS names, array_agg(v.version::text ORDER BY a.alias) AS versions
    FROM ml_model_version_aliases a JOIN ml_model_versions v ON v.id = a.model_version_id WHERE a.model_id = m.id
) aliases ON true WHERE m.project_id = 1 AND m.name = ('model-' || lpad(:i::text, 6, '0'));
