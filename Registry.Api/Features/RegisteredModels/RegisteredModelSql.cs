using Npgsql;
using Registry.Api.Features.ModelVersions;
using Registry.Api.Mlflow;

namespace Registry.Api.Features.RegisteredModels;

/// <summary>How a registered model is read, in one place: the columns, its tags in the same round trip, the mapping.</summary>
internal static class RegisteredModelSql
{
    /// <summary>
    /// Columns of a model aliased <c>m</c>, joined with <see cref="Joins"/>; read back with <see cref="Read"/>.
    /// Tags, latest versions and aliases come in the same statement, for a whole page of models at once.
    /// </summary>
    public const string Columns =
        $"m.name, m.created_at, m.updated_at, m.description, m.user_id, tags.keys, tags.values, {ModelVersionSql.LatestVersionsJson}::text, aliases.names, aliases.versions";

    public const string Joins =
        """
        LEFT JOIN LATERAL (
            SELECT array_agg(t.name ORDER BY t.name) AS keys, array_agg(t.value ORDER BY t.name) AS values
            FROM ml_model_metadata t WHERE t.model_id = m.id
        ) tags ON true
        LEFT JOIN LATERAL (
            SELECT array_agg(a.alias ORDER BY a.alias) AS names, array_agg(v.version::text ORDER BY a.alias) AS versions
            FROM ml_model_version_aliases a JOIN ml_model_versions v ON v.id = a.model_version_id WHERE a.model_id = m.id
        ) aliases ON true
        """;

    public static RegisteredModel Read(NpgsqlDataReader row)
    {
        var keys = row.IsDBNull(5) ? [] : row.GetFieldValue<string[]>(5);
        var values = row.IsDBNull(6) ? [] : row.GetFieldValue<string[]>(6);
        var aliases = row.IsDBNull(8) ? [] : row.GetFieldValue<string[]>(8);
        var aliasVersions = row.IsDBNull(9) ? [] : row.GetFieldValue<string[]>(9);
        return new RegisteredModel(
            row.GetString(0),
            Timestamps.ToMillis(row.GetDateTime(1)),
            Timestamps.ToMillis(row.GetDateTime(2)),
            row.IsDBNull(3) ? null : row.GetString(3),
            row.IsDBNull(4) ? null : UserIdText(row.GetInt64(4)),
            [.. keys.Select((key, i) => new RegisteredModelTag(key, values[i]))],
            new ModelVersionsJson(row.GetFieldValue<byte[]>(7)),
            [.. aliases.Select((alias, i) => new RegisteredModelAlias(alias, aliasVersions[i]))]);
    }

    public static string UserIdText(long userId) => Sql.Text(userId);
}
