using System.Globalization;
using Npgsql;
using Registry.Api.Mlflow;

namespace Registry.Api.Features.RegisteredModels;

/// <summary>How a registered model is read, in one place: the columns, its tags in the same round trip, the mapping.</summary>
internal static class RegisteredModelSql
{
    /// <summary>Columns of a model aliased <c>m</c>, joined with <see cref="TagsJoin"/>; read back with <see cref="Read"/>.</summary>
    public const string Columns = "m.name, m.created_at, m.updated_at, m.description, m.user_id, tags.keys, tags.values";

    public const string TagsJoin =
        """
        LEFT JOIN LATERAL (
            SELECT array_agg(t.name ORDER BY t.name) AS keys, array_agg(t.value ORDER BY t.name) AS values
            FROM ml_model_metadata t WHERE t.model_id = m.id
        ) tags ON true
        """;

    public static RegisteredModel Read(NpgsqlDataReader row)
    {
        var keys = row.IsDBNull(5) ? [] : row.GetFieldValue<string[]>(5);
        var values = row.IsDBNull(6) ? [] : row.GetFieldValue<string[]>(6);
        return new RegisteredModel(
            row.GetString(0),
            Timestamps.ToMillis(row.GetDateTime(1)),
            Timestamps.ToMillis(row.GetDateTime(2)),
            row.IsDBNull(3) ? null : row.GetString(3),
            row.IsDBNull(4) ? null : UserIdText(row.GetInt64(4)),
            [.. keys.Select((key, i) => new RegisteredModelTag(key, values[i]))]);
    }

    public static string UserIdText(long userId) => userId.ToString(CultureInfo.InvariantCulture);
}
