-- RegisteredModelStore.CreateSql with its parameters filled in (a unit test keeps the two identical):
-- a unique name per transaction and the two tags the API scenario sends.
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
)
SELECT EXISTS (SELECT 1 FROM model), EXISTS (SELECT 1 FROM model_taken);
