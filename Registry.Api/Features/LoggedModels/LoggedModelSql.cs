using System.Text.Json;
using Registry.Api.Mlflow;

namespace Registry.Api.Features.LoggedModels;

/// <summary>
/// How a logged model is read, in one place: MLflow's LoggedModel JSON for a model <c>lm</c> of experiment <c>e</c>, with every
/// metric point linked to it (each with the run that logged it and the dataset it was computed on).
/// </summary>
internal static class LoggedModelSql
{
    public const string Json =
        """
        json_build_object(
            'info', json_build_object(
                'model_id', lm.model_id, 'experiment_id', e.iid::text, 'name', lm.name,
                'creation_timestamp_ms', (extract(epoch FROM lm.created_at) * 1000)::bigint,
                'last_updated_timestamp_ms', (extract(epoch FROM lm.updated_at) * 1000)::bigint,
                'artifact_uri', 'mlflow-artifacts:/' || e.iid || '/models/' || lm.model_id || '/artifacts',
                'status', lm.status, 'creator_id', lm.user_id, 'model_type', lm.model_type,
                'source_run_id', lm.source_run_id, 'status_message', lm.status_message,
                'tags', COALESCE((SELECT json_agg(json_build_object('key', t.name, 'value', t.value) ORDER BY t.name)
                                  FROM ml_logged_model_tags t WHERE t.logged_model_id = lm.id), '[]'::json),
                'registrations', COALESCE((SELECT json_agg(json_build_object('name', m.name, 'version', v.version::text) ORDER BY m.name, v.version)
                                           FROM ml_model_versions v JOIN ml_models m ON m.id = v.model_id
                                           WHERE v.project_id = lm.project_id AND v.logged_model_id = lm.model_id), '[]'::json)),
            'data', json_build_object(
                'params', COALESCE((SELECT json_agg(json_build_object('key', p.name, 'value', p.value) ORDER BY p.name)
                                    FROM ml_logged_model_params p WHERE p.logged_model_id = lm.id), '[]'::json),
                'metrics', COALESCE((SELECT json_agg(json_build_object(
                                         'key', mm.name, 'value', mm.value, 'timestamp', mm.timestamp, 'step', mm.step,
                                         'dataset_name', mm.dataset_name, 'dataset_digest', mm.dataset_digest, 'model_id', lm.model_id, 'run_id', r.run_id)
                                         ORDER BY mm.name, mm.step, mm.timestamp, mm.value, r.run_id)
                                     FROM ml_logged_model_metrics mm JOIN ml_candidates r ON r.id = mm.candidate_id
                                     WHERE mm.logged_model_id = lm.id), '[]'::json)))
        """;

    public const string From = "ml_logged_models lm JOIN ml_experiments e ON e.id = lm.experiment_id";

    public static LoggedModel Parse(string json) => JsonSerializer.Deserialize(json, LoggedModelsJsonContext.Wire.LoggedModel)!;

    public static MlflowError NotFound(string modelId) => MlflowError.ResourceDoesNotExist($"Logged model with ID '{modelId}' not found.");
}
