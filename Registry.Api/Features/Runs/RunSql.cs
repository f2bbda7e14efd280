using System.Text.Json;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Artifacts;

namespace Registry.Api.Features.Runs;

/// <summary>How a run is read, in one place: MLflow's Run JSON built by PostgreSQL for a run <c>r</c> of experiment <c>e</c>.</summary>
internal static class RunSql
{
    public const string InfoJson =
        $"""
        json_build_object(
            'run_id', r.run_id, 'run_uuid', r.run_id, 'run_name', r.name, 'experiment_id', e.iid::text,
            'user_id', r.user_name, 'status', r.status, 'start_time', r.start_time, 'end_time', r.end_time,
            'artifact_uri', {ArtifactUris.RunSql},
            'lifecycle_stage', CASE WHEN r.deleted_at IS NULL THEN 'active' ELSE 'deleted' END)
        """;

    public const string Json =
        $"""
        json_build_object(
            'info', {InfoJson},
            'data', json_build_object(
                'metrics', COALESCE((SELECT json_agg(json_build_object('key', m.name, 'value', m.value, 'timestamp', m.timestamp, 'step', m.step) ORDER BY m.name)
                                     FROM ml_candidate_latest_metrics m WHERE m.candidate_id = r.id), '[]'::json),
                'params', COALESCE((SELECT json_agg(json_build_object('key', p.name, 'value', p.value) ORDER BY p.name)
                                    FROM ml_candidate_params p WHERE p.candidate_id = r.id), '[]'::json),
                'tags', COALESCE((SELECT json_agg(json_build_object('key', t.name, 'value', t.value) ORDER BY t.name)
                                  FROM ml_candidate_metadata t WHERE t.candidate_id = r.id), '[]'::json)),
            'inputs', json_build_object(
                'dataset_inputs', COALESCE((SELECT json_agg(json_build_object('tags', i.tags, 'dataset', i.dataset) ORDER BY i.id)
                                            FROM ml_candidate_inputs i WHERE i.candidate_id = r.id), '[]'::json),
                'model_inputs', COALESCE((SELECT json_agg(json_build_object('model_id', lm.model_id) ORDER BY lm.model_id)
                                          FROM ml_candidate_model_inputs mi JOIN ml_logged_models lm ON lm.id = mi.logged_model_id
                                          WHERE mi.candidate_id = r.id), '[]'::json)),
            'outputs', json_build_object(
                'model_outputs', COALESCE((SELECT json_agg(json_build_object('model_id', lm.model_id, 'step', o.step) ORDER BY lm.model_id)
                                           FROM ml_candidate_outputs o JOIN ml_logged_models lm ON lm.id = o.logged_model_id
                                           WHERE o.candidate_id = r.id), '[]'::json)))
        """;

    public static Run Parse(string json) => JsonSerializer.Deserialize(json, RunsJsonContext.Wire.Run)!;

    public static RunInfo ParseInfo(string json) => JsonSerializer.Deserialize(json, RunsJsonContext.Wire.RunInfo)!;

    public static MlflowError NotFound(string runId) => MlflowError.ResourceDoesNotExist($"Run with id={runId} not found");

    public static MlflowError NotActive(string runId) =>
        MlflowError.InvalidParameterValue($"The run {runId} must be in the 'active' state. Current state is deleted.");
}
