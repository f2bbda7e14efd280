-- RegisteredModelStore.FindSql with its parameters filled in (a unit test keeps the two identical).
\set i random(1, 100000)
SELECT m.name, m.created_at, m.updated_at, m.description, m.user_id, tags.keys, tags.values FROM ml_models m LEFT JOIN LATERAL (
    SELECT array_agg(t.name ORDER BY t.name) AS keys, array_agg(t.value ORDER BY t.name) AS values
    FROM ml_model_metadata t WHERE t.model_id = m.id
) tags ON true WHERE m.project_id = 1 AND m.name = ('model-' || lpad(:i::text, 6, '0'));
