-- MLflow's tables seeded like ../seed-runs.sql, with the same psql variables (iid, name, runs, history_run, points,
-- batch_run): the experiment keeps the Registry's number as its id, so the same wrk scripts search both.
BEGIN;
INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
VALUES (:iid, :'name', 'mlflow-artifacts:/' || :iid, 'active', 1700000000000, 1700000000000);

CREATE TEMP TABLE seeded ON COMMIT DROP AS
SELECT i, replace(gen_random_uuid()::text, '-', '') AS run_uuid, 'run-' || i AS name FROM generate_series(1, :runs) AS i;

INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, source_version,
                  lifecycle_stage, artifact_uri, experiment_id)
SELECT run_uuid, name, 'LOCAL', '', '', '1', 'FINISHED', 1700000000000 + i * 1000, '', 'active',
       format('mlflow-artifacts:/%s/%s/artifacts', :iid, run_uuid), :iid
FROM seeded
UNION ALL
SELECT n.run_uuid, n.name, 'LOCAL', '', '', '1', 'RUNNING', 1700000000000, '', 'active',
       format('mlflow-artifacts:/%s/%s/artifacts', :iid, n.run_uuid), :iid
FROM (VALUES (:'history_run', 'history'), (:'batch_run', 'batch')) AS n(run_uuid, name);

INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid)
SELECT 'loss', random(), 1700000000000, 100, false, run_uuid FROM seeded;
INSERT INTO metrics (key, value, timestamp, step, is_nan, run_uuid)
SELECT m.key, m.value, m.timestamp, m.step, m.is_nan, m.run_uuid FROM latest_metrics m JOIN seeded s USING (run_uuid);
INSERT INTO params (key, value, run_uuid)
SELECT 'lr', (ARRAY['0.1', '0.03', '0.01', '0.003', '0.001'])[1 + abs(hashint8(i) % 5)], run_uuid FROM seeded;
INSERT INTO tags (key, value, run_uuid)
SELECT 'mlflow.runName', name, run_uuid FROM seeded
UNION ALL
SELECT 'mlflow.runName', n.name, n.run_uuid FROM (VALUES (:'history_run', 'history'), (:'batch_run', 'batch')) AS n(run_uuid, name);

INSERT INTO metrics (key, value, timestamp, step, is_nan, run_uuid)
SELECT 'loss', 1.0 / s, 1700000000000 + s, s, false, :'history_run' FROM generate_series(1, :points) AS s;
COMMIT;
ANALYZE;
