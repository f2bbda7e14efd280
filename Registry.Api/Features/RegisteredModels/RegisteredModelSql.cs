using Npgsql;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Sql;

namespace Registry.Api.Features.RegisteredModels;

/// <summary>How a registered model is read, in one place: the columns, its tags in the same round trip, the mapping.</summary>
internal static class RegisteredModelSql
{
    private static readonly SqlColumns Select = new();
    private static readonly int Name = Select.Add("m.name");
    private static readonly int CreatedAt = Select.Add("m.created_at");
    private static readonly int UpdatedAt = Select.Add("m.updated_at");
    private static readonly int Description = Select.Add("m.description");
    private static readonly int UserId = Select.Add("m.user_id");
    private static readonly int TagKeys = Select.Add("tags.keys");
    private static readonly int TagValues = Select.Add("tags.values");
    private static readonly int LatestVersions = Select.Add($"{ModelVersionSql.LatestVersionsJson}::text");
    private static readonly int AliasNames = Select.Add("aliases.names");
    private static readonly int AliasVersions = Select.Add("aliases.versions");

    /// <summary>
    /// Columns of a model aliased <c>m</c>, joined with <see cref="Joins"/>; read back with <see cref="Read"/>.
    /// Tags, latest versions and aliases come in the same statement, for a whole page of models at once.
    /// </summary>
    public static string Columns => Select.Sql;

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
        var keys = row.IsDBNull(TagKeys) ? [] : row.GetFieldValue<string[]>(TagKeys);
        var values = row.IsDBNull(TagValues) ? [] : row.GetFieldValue<string[]>(TagValues);
        var aliases = row.IsDBNull(AliasNames) ? [] : row.GetFieldValue<string[]>(AliasNames);
        var aliasVersions = row.IsDBNull(AliasVersions) ? [] : row.GetFieldValue<string[]>(AliasVersions);
        return new RegisteredModel(
            row.GetString(Name),
            Timestamps.ToMillis(row.GetDateTime(CreatedAt)),
            Timestamps.ToMillis(row.GetDateTime(UpdatedAt)),
            row.IsDBNull(Description) ? null : row.GetString(Description),
            row.IsDBNull(UserId) ? null : UserIdText(row.GetInt64(UserId)),
            [.. keys.Select((key, i) => new RegisteredModelTag(key, values[i]))],
            new ModelVersionsJson(row.GetFieldValue<byte[]>(LatestVersions)),
            [.. aliases.Select((alias, i) => new RegisteredModelAlias(alias, aliasVersions[i]))]);
    }

    public static string UserIdText(long userId) => WireIds.Text(userId);
}
