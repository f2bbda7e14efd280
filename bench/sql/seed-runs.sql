-- Tracking scenarios, one experiment per call (psql variables):
--   iid, name      the experiment's number and name
--   runs           how many runs, each with a latest loss (uniform 0..1), a param lr (one of five values) and a tag
--   history_run    a run holding a :points-point metric 'loss'
--   batch_run      a run that takes log-batch
-- bench/run: 2000000 'bench-runs' with 100,000 runs and a 100,000-point metric; 2100000 'bench-runs-1m' with
-- 1,000,000 runs and a 1,000,000-point metric for the scale scenarios (either count 0 when its scenario is not run).
BEGIN;
INSERT INTO ml_experiments (project_id, iid, name, created_at, updated_at) VALUES (1, :iid, :'name', now(), now());

INSERT INTO ml_candidates (project_id, experiment_id, run_id, name, user_id, status, start_time, created_at, updated_at)
SELECT 1, e.id, replace(gen_random_uuid()::text, '-', ''), 'run-' || i, 1, 'FINISHED', 1700000000000 + i * 1000, now(), now()
FROM ml_experiments e, generate_series(1, :runs) AS i
WHERE e.project_id = 1 AND e.iid = :iid;

INSERT INTO ml_candidates (project_id, experiment_id, run_id, name, user_id, status, start_time, created_at, updated_at)
SELECT 1, e.id, n.run_id, n.name, 1, 'RUNNING', 1700000000000, now(), now()
FROM ml_experiments e, (VALUES (:'history_run', 'history'), (:'batch_run', 'batch')) AS n(run_id, name)
WHERE e.project_id = 1 AND e.iid = :iid;

CREATE TEMP TABLE seeded ON COMMIT DROP AS
SELECT r.id, r.name FROM ml_candidates r JOIN ml_experiments e ON e.id = r.experiment_id
WHERE e.project_id = 1 AND e.iid = :iid AND r.name LIKE 'run-%';

INSERT INTO ml_candidate_latest_metrics (candidate_id, name, value, timestamp, step)
SELECT id, 'loss', random(), 1700000000000, 100 FROM seeded;
INSERT INTO ml_candidate_metrics (candidate_id, name, value, timestamp, step)
SELECT m.candidate_id, m.name, m.value, m.timestamp, m.step FROM ml_candidate_latest_metrics m JOIN seeded s ON s.id = m.candidate_id;
INSERT INTO ml_candidate_params (candidate_id, name, value)
SELECT id, 'lr', (ARRAY['0.1', '0.03', '0.01', '0.003', '0.001'])[1 + abs(hashint8(id) % 5)] FROM seeded;
INSERT INTO ml_candidate_metadata (candidate_id, name, value)
SELECT id, 'mlflow.runName', name FROM seeded;

INSERT INTO ml_candidate_metrics (candidate_id, name, value, timestamp, step)
SELECT r.id, 'loss', 1.0 / s, 1700000000000 + s, s FROM ml_candidates r, generate_series(1, :points) AS s WHERE r.run_id = :'history_run';
COMMIT;
ANALYZE;
