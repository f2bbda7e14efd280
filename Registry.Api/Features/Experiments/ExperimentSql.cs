using System.Globalization;
using System.Text.Json;
using Npgsql;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Search;

namespace Registry.Api.Features.Experiments;

/// <summary>How an experiment is read, in one place: MLflow's Experiment JSON built by PostgreSQL for an experiment aliased <c>e</c>.</summary>
internal static class ExperimentSql
{
    public const string Json =
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

    /// <summary>MLflow's lifecycle_stage of an experiment or run whose deletion time is <paramref name="deletedAt"/> (SQL).</summary>
    public static string LifecycleStage(string deletedAt) => $"CASE WHEN {deletedAt} IS NULL THEN 'active' ELSE 'deleted' END";

    /// <summary>The project's default experiment: the client logs there when no experiment is set.</summary>
    public const int DefaultId = 0;

    /// <summary>Makes the project's default experiment (<see cref="DefaultId"/>) on first use; does nothing after.</summary>
    public static NpgsqlBatchCommand EnsureDefault(long projectId)
    {
        var sql = new SqlParameters();
        return sql.Command(
            $"""
            INSERT INTO ml_experiments (project_id, iid, name, created_at, updated_at)
            VALUES ({sql.Add(projectId)}, 0, 'Default', now(), now())
            ON CONFLICT DO NOTHING
            """);
    }

    public static Experiment Parse(string json) => JsonSerializer.Deserialize(json, MlflowJsonContext.Wire.Experiment)!;

    /// <summary>Experiment ids are strings on the wire; ours are the per-project numbers.</summary>
    public static int? ParseId(string? experimentId) =>
        int.TryParse(experimentId, NumberStyles.None, CultureInfo.InvariantCulture, out var iid) ? iid : null;

    public static int RequireId(string? experimentId) => ParseId(experimentId) ?? throw new MlflowException(
        string.IsNullOrEmpty(experimentId) ? MlflowError.InvalidParameterValue(MlflowMessages.Missing("experiment_id")) : NotFound(experimentId));

    public static MlflowError NotFound(string experimentId) => MlflowError.ResourceDoesNotExist($"No Experiment with id={experimentId} exists");

    public static MlflowError NotFound(int iid) => NotFound(Sql.Text(iid));
}
