namespace Registry.Web.Api;

/// <summary>Registered models and their versions, stages and aliases.</summary>
public sealed partial class RegistryApi
{
    public Task<RegisteredModelsPage> SearchModelsAsync(long projectId, string? filter, string? orderBy, string? pageToken, int maxResults, CancellationToken ct) =>
        GetAsync<RegisteredModelsPage>(Mlflow(projectId) + "registered-models/search?" +
            Query(("filter", filter), ("order_by", orderBy), ("page_token", pageToken), ("max_results", maxResults.ToString(System.Globalization.CultureInfo.InvariantCulture))), ct);

    public async Task<RegisteredModel> ModelAsync(long projectId, string name, CancellationToken ct) =>
        (await GetAsync<RegisteredModelResponse>(Mlflow(projectId) + "registered-models/get?" + Query(("name", name)), ct)).RegisteredModel;

    public Task UpdateModelDescriptionAsync(long projectId, string name, string description, CancellationToken ct) =>
        SendJsonAsync(HttpMethod.Patch, Mlflow(projectId) + "registered-models/update", new { name, description }, ct);

    public Task SetModelTagAsync(long projectId, string name, string key, string value, CancellationToken ct) =>
        SendJsonAsync(HttpMethod.Post, Mlflow(projectId) + "registered-models/set-tag", new { name, key, value }, ct);

    public Task DeleteModelTagAsync(long projectId, string name, string key, CancellationToken ct) =>
        SendJsonAsync(HttpMethod.Delete, Mlflow(projectId) + "registered-models/delete-tag", new { name, key }, ct);

    public Task DeleteModelAsync(long projectId, string name, CancellationToken ct) =>
        SendJsonAsync(HttpMethod.Delete, Mlflow(projectId) + "registered-models/delete", new { name }, ct);

    public Task SetAliasAsync(long projectId, string name, string alias, string version, CancellationToken ct) =>
        SendJsonAsync(HttpMethod.Post, Mlflow(projectId) + "registered-models/alias", new { name, alias, version }, ct);

    public Task DeleteAliasAsync(long projectId, string name, string alias, CancellationToken ct) =>
        SendJsonAsync(HttpMethod.Delete, Mlflow(projectId) + "registered-models/alias", new { name, alias }, ct);

    public Task<ModelVersionsPage> SearchVersionsAsync(long projectId, string filter, int maxResults, CancellationToken ct) =>
        GetAsync<ModelVersionsPage>(Mlflow(projectId) + "model-versions/search?" +
            Query(("filter", filter), ("order_by", "version_number DESC"), ("max_results", maxResults.ToString(System.Globalization.CultureInfo.InvariantCulture))), ct);

    public async Task<ModelVersion> VersionAsync(long projectId, string name, string version, CancellationToken ct) =>
        (await GetAsync<ModelVersionResponse>(Mlflow(projectId) + "model-versions/get?" + Query(("name", name), ("version", version)), ct)).ModelVersion;

    public async Task<string> DownloadUriAsync(long projectId, string name, string version, CancellationToken ct) =>
        (await GetAsync<DownloadUri>(Mlflow(projectId) + "model-versions/get-download-uri?" + Query(("name", name), ("version", version)), ct)).ArtifactUri;

    public Task TransitionStageAsync(long projectId, string name, string version, string stage, bool archiveExisting, CancellationToken ct) =>
        SendJsonAsync(HttpMethod.Post, Mlflow(projectId) + "model-versions/transition-stage",
            new { name, version, stage, archive_existing_versions = archiveExisting }, ct);

    public Task DeleteVersionAsync(long projectId, string name, string version, CancellationToken ct) =>
        SendJsonAsync(HttpMethod.Delete, Mlflow(projectId) + "model-versions/delete", new { name, version }, ct);
}
