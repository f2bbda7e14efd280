-- 100,000 registered models with 5 tags each in project 1, each with its default experiment.
-- Tags are drawn independently (hashes of the id), as real tags are: the search scenario's
-- name LIKE 'model-01%' keeps 10%, team 1/20, stage 1/3, framework 1/5: about 33 of 100,000 models match.
BEGIN;
INSERT INTO ml_experiments (project_id, iid, name, created_at, updated_at)
SELECT 1, 1000000 + i, format('[model]model-%s', lpad(i::text, 6, '0')), now(), now()
FROM generate_series(1, 100000) AS i;

INSERT INTO ml_models (project_id, name, description, user_id, default_experiment_id, created_at, updated_at)
SELECT 1, format('model-%s', lpad(i::text, 6, '0')), 'seeded for the benchmark', 1, e.id,
       now() - make_interval(secs => 100000 - i), now() - make_interval(secs => 100000 - i)
FROM generate_series(1, 100000) AS i
JOIN ml_experiments e ON e.project_id = 1 AND e.name = format('[model]model-%s', lpad(i::text, 6, '0'));

INSERT INTO ml_model_metadata (model_id, name, value, created_at, updated_at)
SELECT m.id, t.key, t.value, now(), now()
FROM ml_models m
CROSS JOIN LATERAL (VALUES
    ('team', 'team-' || abs(hashint8(m.id) % 20)),
    ('stage', (ARRAY['prod', 'staging', 'dev'])[1 + abs(hashint8(m.id + 1) % 3)]),
    ('framework', (ARRAY['sklearn', 'pytorch', 'xgboost', 'tensorflow', 'lightgbm'])[1 + abs(hashint8(m.id + 2) % 5)]),
    ('owner', 'user-' || (m.id % 100)),
    ('purpose', md5(m.name))
) AS t(key, value)
WHERE m.project_id = 1 AND m.name LIKE 'model-%';
UPDATE projects SET last_experiment_iid = 1100000 WHERE id = 1;
COMMIT;
ANALYZE;
