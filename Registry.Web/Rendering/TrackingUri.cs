namespace Registry.Web.Rendering;

/// <summary>
/// The address users give the MLflow client: the API's public URL (<c>Registry:PublicApiUrl</c>, else the address
/// service discovery gives the UI for <c>api</c>) plus the project's MLflow prefix.
/// </summary>
public sealed class TrackingUri(IConfiguration configuration)
{
    public string For(long projectId)
    {
        var api = configuration["Registry:PublicApiUrl"] ?? configuration["services:api:http:0"] ?? configuration["services:api:https:0"] ?? "http://localhost:5080";
        return $"{api.TrimEnd('/')}/api/v4/projects/{projectId}/ml/mlflow";
    }

    /// <summary>A filter literal for MLflow's grammar: single quotes unless the value holds one.</summary>
    public static string Quote(string value) => value.Contains('\'') ? $"\"{value}\"" : $"'{value}'";
}
