namespace Registry.Tests.Infrastructure;

/// <summary>An MLflow endpoint as the OpenAPI document lists it, with its path parameters filled in.</summary>
public sealed record Endpoint(HttpMethod Method, string Template)
{
    public bool Writes => Method != HttpMethod.Get;

    public string Path(long projectId, Func<string, string>? parameter = null) =>
        System.Text.RegularExpressions.Regex.Replace(Template, @"\{([^}]+)\}", m => m.Groups[1].Value switch
        {
            "projectId" => projectId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            var name => parameter?.Invoke(name) ?? "x",
        });

    public override string ToString() => $"{Method} {Template}";

    /// <summary>Every MLflow and mlflow-artifacts endpoint the API serves, read from its own OpenAPI document.</summary>
    public static async Task<IReadOnlyList<Endpoint>> AllMlflowAsync(HttpClient http)
    {
        var document = JsonNode.Parse(await http.GetStringAsync("/openapi/v1.json"))!;
        return [.. document["paths"]!.AsObject()
            .Where(path => path.Key.Contains("/ml/mlflow/", StringComparison.Ordinal) && !path.Key.Contains("{unknown}", StringComparison.Ordinal))
            .SelectMany(path => path.Value!.AsObject().Select(operation => new Endpoint(new HttpMethod(operation.Key.ToUpperInvariant()), path.Key)))
            .OrderBy(e => e.Template, StringComparer.Ordinal).ThenBy(e => e.Method.Method, StringComparer.Ordinal)];
    }
}
