-- MLflow's tables seeded like ../seed-versions.sql: model-000001 has 10,000 versions across the four stages and two
-- aliases; model-000002 .. model-001000 have 5 versions each (two in Production) and one alias.
BEGIN;
INSERT INTO model_versions (name, version, creation_time, last_updated_time, user_id, current_stage, source, run_id, status, storage_location)
SELECT m.name, v, m.creation_time, m.creation_time, '1',
       CASE WHEN v % 100 = 1 THEN 'Production' WHEN v % 50 = 2 THEN 'Staging' WHEN v % 10 = 0 THEN 'Archived' ELSE 'None' END,
       format('mlflow-artifacts:/1/%s/artifacts/model', md5(m.name || v)), md5(m.name || v), 'READY',
       format('mlflow-artifacts:/1/%s/artifacts/model', md5(m.name || v))
FROM registered_models m CROSS JOIN LATERAL generate_series(1, CASE WHEN m.name = 'model-000001' THEN 10000 ELSE 5 END) AS v
WHERE m.name BETWEEN 'model-000001' AND 'model-001000';

INSERT INTO model_version_tags (key, value, name, version)
SELECT 'validated', CASE WHEN version % 2 = 0 THEN 'yes' ELSE 'no' END, name, version FROM model_versions;

INSERT INTO registered_model_aliases (alias, version, name)
SELECT CASE WHEN version = 10000 THEN 'challenger' ELSE 'champion' END, version, name
FROM model_versions
WHERE (name = 'model-000001' AND version IN (9999, 10000)) OR (name <> 'model-000001' AND version = 5);
COMMIT;
ANALYZE;
