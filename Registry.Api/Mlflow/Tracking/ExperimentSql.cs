using System.Globalization;
using Npgsql;
using Registry.Api.Mlflow.Sql;

namespace Registry.Api.Mlflow.Tracking;

/// <summary>
/// What runs and logged models know of experiments: their wire ids (the project's experiment numbers, as strings), the
/// project's default experiment, and the lifecycle stage in SQL. How an experiment itself is read is the Experiments feature's.
/// </summary>
internal static class ExperimentSql
{
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

    /// <summary>Experiment ids are strings on the wire; ours are the per-project numbers.</summary>
    public static int? ParseId(string? experimentId) =>
        int.TryParse(experimentId, NumberStyles.None, CultureInfo.InvariantCulture, out var iid) ? iid : null;

    /// <returns>The id, or the error: missing (400), or not a number and so no experiment of ours (404).</returns>
    public static Outcome<ExperimentId> RequireId(string? experimentId) =>
        ParseId(experimentId) is { } iid ? new ExperimentId(iid, experimentId!)
        : string.IsNullOrEmpty(experimentId) ? MlflowError.InvalidParameterValue(MlflowMessages.Missing("experiment_id"))
        : NotFound(experimentId);

    /// <param name="experimentId">As the client sent it: MLflow names <c>007</c> as <c>007</c>.</param>
    public static MlflowError NotFound(string experimentId) => MlflowError.ResourceDoesNotExist($"No Experiment with id={experimentId} exists");
}

/// <summary>
/// An experiment id as the client sent it (<c>"007"</c>) and the number it names (7): statements find the number, errors
/// name the id as sent (<see cref="ExperimentSql.NotFound"/>).
/// </summary>
internal readonly record struct ExperimentId(int Iid, string Sent)
{
    public MlflowError NotFound() => ExperimentSql.NotFound(Sent);
}
