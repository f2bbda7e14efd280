namespace Registry.Tests.Infrastructure;

/// <summary>Model-version calls in a project as one user, shaped like MlflowClient's methods.</summary>
public sealed class ModelVersionClient(HttpClient http, long projectId, TestToken token)
{
    public RegisteredModelClient Models { get; } = new(http, projectId, token);

    public async Task<JsonObject> CreateAsync(string name, string source = "mlflow-artifacts:/1/abc/artifacts/model", string? runId = null, params (string Key, string Value)[] tags) =>
        (await (await CreateRawAsync(name, source, runId, tags)).ShouldBeOkAsync())["model_version"]!.AsObject();

    public Task<HttpResponseMessage> CreateRawAsync(string name, string? source, string? runId = null, params (string Key, string Value)[] tags) =>
        http.PostJsonAsync(projectId, "model-versions/create",
            new { name, source, run_id = runId, tags = tags.Select(t => new { key = t.Key, value = t.Value }) }, token);

    public Task<HttpResponseMessage> GetRawAsync(string name, string version) =>
        http.GetAsync(projectId, $"model-versions/get?name={Uri.EscapeDataString(name)}&version={Uri.EscapeDataString(version)}", token);

    public async Task<JsonObject> GetAsync(string name, string version) => (await (await GetRawAsync(name, version)).ShouldBeOkAsync())["model_version"]!.AsObject();

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string rpc, object body) =>
        http.SendRawAsync(method, MlflowHttp.Path(projectId, rpc), JsonContent.Create(body), token);

    public Task<HttpResponseMessage> GetQueryAsync(string rpcWithQuery) => http.GetAsync(projectId, rpcWithQuery, token);

    public async Task<JsonObject> TransitionAsync(string name, string version, string stage, bool archive = false) =>
        (await (await SendAsync(HttpMethod.Post, "model-versions/transition-stage",
            new { name, version, stage, archive_existing_versions = archive })).ShouldBeOkAsync())["model_version"]!.AsObject();

    public async Task<List<(string Version, string Stage)>> LatestAsync(string name, params string[] stages)
    {
        var body = await (await SendAsync(HttpMethod.Post, "registered-models/get-latest-versions", new { name, stages })).ShouldBeOkAsync();
        return [.. body["model_versions"]!.AsArray().Select(v => ((string)v!["version"]!, (string)v["current_stage"]!))];
    }

    public async Task<(List<string> Versions, string? NextPageToken)> SearchAsync(string filter, int? maxResults = null, string? pageToken = null, params string[] orderBy)
    {
        var query = new List<string> { $"filter={Uri.EscapeDataString(filter)}" };
        if (maxResults is not null) query.Add($"max_results={maxResults}");
        if (pageToken is not null) query.Add($"page_token={Uri.EscapeDataString(pageToken)}");
        query.AddRange(orderBy.Select(o => $"order_by={Uri.EscapeDataString(o)}"));
        var body = await (await GetQueryAsync($"model-versions/search?{string.Join('&', query)}")).ShouldBeOkAsync();
        return ([.. body["model_versions"]!.AsArray().Select(v => $"{v!["name"]}/{v["version"]}")], (string?)body["next_page_token"]);
    }
}
