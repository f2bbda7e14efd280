using System.Globalization;

namespace Registry.Api.Mlflow;

internal static class WireIds
{
    /// <summary>Ids and version numbers are strings on MLflow's wire.</summary>
    public static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
