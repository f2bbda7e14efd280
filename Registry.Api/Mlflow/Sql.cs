using System.Globalization;
using Npgsql;

namespace Registry.Api.Mlflow;

internal static class Sql
{
    public static NpgsqlParameter NullableText(string? value) =>
        new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text };

    /// <summary>Ids and version numbers are strings on MLflow's wire.</summary>
    public static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
