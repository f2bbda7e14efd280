namespace Registry.Tests.Infrastructure;

/// <summary>Registered-model calls in a project as one user, shaped like MlflowClient's methods.</summary>
public sealed class RegisteredModelClient(HttpClient http, long projectId, TestToken token)
{
    public async Task<JsonObject> CreateAsync(string name, string? description = null, params (string Key, string Value)[] tags) =>
        (await (await CreateRawAsync(name, description, tags)).ShouldBeOkAsync())["registered_model"]!.AsObject();

    public Task<HttpResponseMessage> CreateRawAsync(string name, string? description = null, params (string Key, string Value)[] tags) =>
        http.PostJsonAsync(projectId, "registered-models/create",
            new { name, description, tags = tags.Select(t => new { key = t.Key, value = t.Value }) }, token);

    public Task<HttpResponseMessage> GetRawAsync(string name) =>
        http.GetAsync(projectId, $"registered-models/get?name={Uri.EscapeDataString(name)}", token);

    public async Task<JsonObject> GetAsync(string name) => (await (await GetRawAsync(name)).ShouldBeOkAsync())["registered_model"]!.AsObject();

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string rpc, object body) =>
        http.SendRawAsync(method, MlflowHttp.Path(projectId, rpc), JsonContent.Create(body), token);

    /// <summary>GET registered-models/search with the given query string (already escaped where needed).</summary>
    public Task<HttpResponseMessage> SearchRawAsync(string query) => http.GetAsync(projectId, $"registered-models/search?{query}", token);

    public async Task<(List<string> Names, string? NextPageToken)> SearchAsync(string filter, int? maxResults = null, string? pageToken = null, params string[] orderBy)
    {
        var query = new List<string> { $"filter={Uri.EscapeDataString(filter)}" };
        if (maxResults is not null) query.Add($"max_results={maxResults}");
        if (pageToken is not null) query.Add($"page_token={Uri.EscapeDataString(pageToken)}");
        query.AddRange(orderBy.Select(o => $"order_by={Uri.EscapeDataString(o)}"));
        var body = await (await SearchRawAsync(string.Join('&', query))).ShouldBeOkAsync();
        var names = body["registered_models"]!.AsArray().Select(m => (string)m!["name"]!).ToList();
        return (names, (string?)body["next_page_token"]);
    }
}
