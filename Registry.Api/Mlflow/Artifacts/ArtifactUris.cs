namespace Registry.Api.Mlflow.Artifacts;

/// <summary>
/// Where runs' and logged models' files are: <c>mlflow-artifacts:/</c> URIs, which resolve against the tracking URI (it
/// already names the project). As SQL for a run <c>r</c> or logged model <c>lm</c> of experiment <c>e</c>, and in C#.
/// </summary>
internal static class ArtifactUris
{
    public const string Scheme = "mlflow-artifacts:/";

    public const string RunSql = "'mlflow-artifacts:/' || e.iid || '/' || r.run_id || '/artifacts'";

    public const string LoggedModelSql = "'mlflow-artifacts:/' || e.iid || '/models/' || lm.model_id || '/artifacts'";

    public static string Run(string experimentId, string runId) => $"mlflow-artifacts:/{experimentId}/{runId}/artifacts";

    public static string LoggedModel(string experimentId, string modelId) => $"mlflow-artifacts:/{experimentId}/models/{modelId}/artifacts";

    /// <summary>Where an <c>mlflow-artifacts:/a/b</c> URI lives in the project's storage: <c>a/b</c>.</summary>
    public static string StoragePath(string uri) => uri.StartsWith(Scheme, StringComparison.Ordinal) ? uri[Scheme.Length..].Trim('/') : uri;

    /// <summary>One level of <paramref name="directory"/> under an artifact root (a run's, a logged model's), paths relative to the root.</summary>
    public static async Task<ListArtifactsResponse> ListUnderAsync(
        this IArtifactStore store, long projectId, string root, string directory, CancellationToken cancellationToken)
    {
        var files = (await store.ListAsync(projectId, $"{StoragePath(root)}/{directory}".TrimEnd('/'), cancellationToken))
            .Select(f => f with { Path = directory.Length == 0 ? f.Path : $"{directory}/{f.Path}" });
        return new ListArtifactsResponse(root, [.. files]);
    }
}

public sealed record ListArtifactsResponse(string? RootUri, IReadOnlyList<ArtifactFile> Files);
