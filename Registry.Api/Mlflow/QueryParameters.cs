using System.Globalization;
using System.Text.Json;

namespace Registry.Api.Mlflow;

/// <summary>GET parameters as the MLflow client sends them: repeated keys for lists (MLflow's server also takes <c>key[]</c>).</summary>
internal static class QueryParameters
{
    public static string? String(this HttpRequest request, string name) =>
        request.Query.TryGetValue(name, out var values) ? values.ToString() : null;

    public static IReadOnlyList<string> Strings(this HttpRequest request, string name) =>
        [.. request.Query[name].Concat(request.Query[name + "[]"]).OfType<string>()];

    public static long? Long(this HttpRequest request, string name)
    {
        var text = request.String(name);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw NotAnInteger(name, text);
    }

    public static int? Int(this HttpRequest request, string name)
    {
        var text = request.String(name);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw NotAnInteger(name, text);
    }

    /// <summary>As MLflow answers a query parameter that does not parse as an integer (it arrives as a string).</summary>
    private static MlflowException NotAnInteger(string name, string text) => new(MlflowError.InvalidParameterValue(
        MlflowMessages.InvalidType(name, JsonSerializer.Serialize(text, MlflowJsonContext.Wire.String), "str")));
}
