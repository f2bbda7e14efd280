using System.Text.Json;

namespace Registry.Api.Features.Experiments;

/// <summary>How an experiment is read, in one place: MLflow's Experiment JSON built by PostgreSQL for an experiment aliased <c>e</c>.</summary>
internal static class ExperimentJson
{
    public const string Sql =
        """
        json_build_object(
            'experiment_id', e.iid::text,
            'name', e.name,
            'artifact_location', COALESCE(e.artifact_location, 'mlflow-artifacts:/' || e.iid),
            'lifecycle_stage', CASE WHEN e.deleted_at IS NULL THEN 'active' ELSE 'deleted' END,
            'last_update_time', (extract(epoch FROM e.updated_at) * 1000)::bigint,
            'creation_time', (extract(epoch FROM e.created_at) * 1000)::bigint,
            'tags', COALESCE((SELECT json_agg(json_build_object('key', t.name, 'value', t.value) ORDER BY t.name)
                              FROM ml_experiment_metadata t WHERE t.experiment_id = e.id), '[]'::json))
        """;

    public static Experiment Parse(string json) => JsonSerializer.Deserialize(json, ExperimentsJsonContext.Wire.Experiment)!;
}
