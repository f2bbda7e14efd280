-- Model versions for the issue-4 scenarios:
--   model-000001 has 10,000 versions across the four stages, and two aliases;
--   model-000002 .. model-001000 have 5 versions each (two in Production) and one alias.
BEGIN;
INSERT INTO ml_model_versions (project_id, model_id, version, source, run_id, status, current_stage, user_id, created_at, updated_at)
SELECT 1, m.id, v, format('mlflow-artifacts:/1/%s/artifacts/model', md5(m.name || v)), md5(m.name || v), 'READY',
       CASE WHEN v % 100 = 1 THEN 'Production' WHEN v % 50 = 2 THEN 'Staging' WHEN v % 10 = 0 THEN 'Archived' ELSE 'None' END,
       1, now(), now()
FROM ml_models m CROSS JOIN LATERAL generate_series(1, CASE WHEN m.name = 'model-000001' THEN 10000 ELSE 5 END) AS v
WHERE m.project_id = 1 AND m.name BETWEEN 'model-000001' AND 'model-001000';

UPDATE ml_models m SET last_version = (SELECT max(version) FROM ml_model_versions v WHERE v.model_id = m.id)
WHERE m.project_id = 1 AND m.name BETWEEN 'model-000001' AND 'model-001000';

INSERT INTO ml_model_version_metadata (model_version_id, name, value, created_at, updated_at)
SELECT v.id, 'validated', CASE WHEN v.version % 2 = 0 THEN 'yes' ELSE 'no' END, now(), now()
FROM ml_model_versions v JOIN ml_models m ON m.id = v.model_id
WHERE m.project_id = 1 AND m.name BETWEEN 'model-000001' AND 'model-001000';

INSERT INTO ml_model_version_aliases (model_id, model_version_id, alias, created_at)
SELECT v.model_id, v.id, CASE WHEN v.version = 10000 THEN 'challenger' ELSE 'champion' END, now()
FROM ml_model_versions v JOIN ml_models m ON m.id = v.model_id
WHERE m.project_id = 1
  AND ((m.name = 'model-000001' AND v.version IN (9999, 10000)) OR (m.name <> 'model-000001' AND v.version = 5));
COMMIT;
ANALYZE;
