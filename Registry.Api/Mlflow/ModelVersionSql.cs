using System.Text.Json;

namespace Registry.Api.Mlflow;

/// <summary>
/// How a model version is read, in one place. PostgreSQL builds each version (with its tags and aliases) as one JSON
/// object in MLflow's shape, so every path that returns versions (get, search, latest versions, a registered model's
/// <c>latest_versions</c>) reads them in the same round trip and the same way.
/// </summary>
internal static class ModelVersionSql
{
    /// <summary>A version aliased <c>v</c> of a model aliased <c>m</c>, as MLflow's ModelVersion JSON.</summary>
    public const string Json =
        """
        json_build_object(
            'name', m.name,
            'version', v.version::text,
            'creation_timestamp', (extract(epoch FROM v.created_at) * 1000)::bigint,
            'last_updated_timestamp', (extract(epoch FROM v.updated_at) * 1000)::bigint,
            'user_id', v.user_id::text,
            'current_stage', v.current_stage,
            'description', v.description,
            'source', v.source,
            'run_id', v.run_id,
            'status', v.status,
            'status_message', v.status_message,
            'tags', COALESCE((SELECT json_agg(json_build_object('key', t.name, 'value', t.value) ORDER BY t.name)
                              FROM ml_model_version_metadata t WHERE t.model_version_id = v.id), '[]'::json),
            'run_link', v.run_link,
            'aliases', COALESCE((SELECT json_agg(a.alias ORDER BY a.alias)
                                 FROM ml_model_version_aliases a WHERE a.model_version_id = v.id), '[]'::json),
            'model_id', v.logged_model_id)
        """;

    /// <summary>
    /// The highest version in each stage of model <c>m</c> (one index probe per stage), as a JSON array ordered by
    /// version; compact and without null fields, as the API writes JSON, so that it can go into a response unparsed.
    /// </summary>
    public static readonly string LatestVersionsJson = LatestVersionsIn("ARRAY['None', 'Staging', 'Production', 'Archived']");

    /// <summary><see cref="LatestVersionsJson"/> of the given stages only.</summary>
    /// <param name="stages">SQL text[]: a parameter's placeholder.</param>
    public static string LatestVersionsIn(string stages) =>
        $"""
        COALESCE((
            SELECT json_strip_nulls(json_agg(latest.version ORDER BY latest.number))
            FROM unnest({stages}) AS stage(name)
            CROSS JOIN LATERAL (
                SELECT {Json} AS version, v.version AS number
                FROM ml_model_versions v
                WHERE v.model_id = m.id AND v.current_stage = stage.name
                ORDER BY v.version DESC LIMIT 1
            ) latest
        ), '[]'::json)
        """;

    public static ModelVersion Parse(string json) => JsonSerializer.Deserialize(json, MlflowJsonContext.Wire.ModelVersion)!;

    public static IReadOnlyList<ModelVersion> ParseList(string json) => JsonSerializer.Deserialize(json, MlflowJsonContext.Wire.IReadOnlyListModelVersion)!;
}
