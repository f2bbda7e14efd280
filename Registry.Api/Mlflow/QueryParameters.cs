using System.Globalization;

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
            : throw new MlflowException(MlflowError.InvalidParameterValue($"Invalid value '{text}' for parameter '{name}': expected an integer."));
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
            : throw new MlflowException(MlflowError.InvalidParameterValue($"Invalid value '{text}' for parameter '{name}': expected an integer."));
    }
}
