-- MLflow's tables (2.17.2 and 3.11.1; 3.x's workspace columns keep their default) seeded like ../seed.sql:
-- 100,000 registered models with the same 5 tags, drawn from the same hashes of the model's number.
BEGIN;
INSERT INTO registered_models (name, creation_time, last_updated_time, description)
SELECT format('model-%s', lpad(i::text, 6, '0')), t, t, 'seeded for the benchmark'
FROM generate_series(1, 100000) AS i,
     LATERAL (SELECT (extract(epoch FROM now() - make_interval(secs => 100000 - i)) * 1000)::bigint AS t) AS created;

INSERT INTO registered_model_tags (key, value, name)
SELECT t.key, t.value, format('model-%s', lpad(i::text, 6, '0'))
FROM generate_series(1, 100000) AS i
CROSS JOIN LATERAL (VALUES
    ('team', 'team-' || abs(hashint8(i) % 20)),
    ('stage', (ARRAY['prod', 'staging', 'dev'])[1 + abs(hashint8(i + 1) % 3)]),
    ('framework', (ARRAY['sklearn', 'pytorch', 'xgboost', 'tensorflow', 'lightgbm'])[1 + abs(hashint8(i + 2) % 5)]),
    ('owner', 'user-' || (i % 100)),
    ('purpose', md5(format('model-%s', lpad(i::text, 6, '0'))))
) AS t(key, value);
COMMIT;
ANALYZE;
