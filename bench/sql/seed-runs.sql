-- Tracking scenarios: experiment 2000000 ("bench-runs") with 100,000 runs, each with a latest loss (uniform 0..1),
-- a param lr (one of five values) and a tag; run 'history' holds a 100,000-point metric; run 'batch' takes log-batch.
BEGIN;
INSERT INTO ml_experiments (project_id, iid, name, created_at, updated_at) VALUES (1, 2000000, 'bench-runs', now(), now());

INSERT INTO ml_candidates (project_id, experiment_id, run_id, name, user_id, status, start_time, created_at, updated_at)
SELECT 1, e.id, replace(gen_random_uuid()::text, '-', ''), 'run-' || i, 1, 'FINISHED', 1700000000000 + i * 1000, now(), now()
FROM ml_experiments e, generate_series(1, 100000) AS i
WHERE e.project_id = 1 AND e.iid = 2000000;

INSERT INTO ml_candidates (project_id, experiment_id, run_id, name, user_id, status, start_time, created_at, updated_at)
SELECT 1, e.id, n.run_id, n.name, 1, 'RUNNING', 1700000000000, now(), now()
FROM ml_experiments e, (VALUES ('00000000000000000000000000000001', 'history'), ('00000000000000000000000000000002', 'batch')) AS n(run_id, name)
WHERE e.project_id = 1 AND e.iid = 2000000;

INSERT INTO ml_candidate_latest_metrics (candidate_id, name, value, timestamp, step)
SELECT r.id, 'loss', random(), 1700000000000, 100 FROM ml_candidates r WHERE r.name LIKE 'run-%';
INSERT INTO ml_candidate_metrics (candidate_id, name, value, timestamp, step)
SELECT candidate_id, name, value, timestamp, step FROM ml_candidate_latest_metrics;
INSERT INTO ml_candidate_params (candidate_id, name, value)
SELECT r.id, 'lr', (ARRAY['0.1', '0.03', '0.01', '0.003', '0.001'])[1 + abs(hashint8(r.id) % 5)] FROM ml_candidates r WHERE r.name LIKE 'run-%';
INSERT INTO ml_candidate_metadata (candidate_id, name, value)
SELECT r.id, 'mlflow.runName', r.name FROM ml_candidates r WHERE r.name LIKE 'run-%';

INSERT INTO ml_candidate_metrics (candidate_id, name, value, timestamp, step)
SELECT r.id, 'loss', 1.0 / s, 1700000000000 + s, s FROM ml_candidates r, generate_series(1, 100000) AS s WHERE r.run_id = '00000000000000000000000000000001';
COMMIT;
ANALYZE;
