namespace Registry.Tests.Infrastructure;

/// <summary>Tracking calls in a project as one user, shaped like what mlflow.set_experiment / start_run / log_* send.</summary>
public sealed class TrackingClient(HttpClient http, long projectId, TestToken token)
{
    public Task<HttpResponseMessage> PostAsync(string rpc, object body) =>
        http.SendRawAsync(HttpMethod.Post, MlflowHttp.Path(projectId, rpc), JsonContent.Create(body), token);

    public Task<HttpResponseMessage> GetAsync(string rpcWithQuery) => http.GetAsync(projectId, rpcWithQuery, token);

    public async Task<string> CreateExperimentAsync(string name, params (string Key, string Value)[] tags) =>
        (string)(await (await PostAsync("experiments/create", new { name, tags = tags.Select(t => new { key = t.Key, value = t.Value }) })).ShouldBeOkAsync())["experiment_id"]!;

    public async Task<JsonObject> GetExperimentAsync(string id) =>
        (await (await GetAsync($"experiments/get?experiment_id={id}")).ShouldBeOkAsync())["experiment"]!.AsObject();

    public async Task<JsonObject> CreateRunAsync(string experimentId, string? runName = null, long startTime = 1_700_000_000_000, params (string Key, string Value)[] tags) =>
        (await (await PostAsync("runs/create", new
        {
            experiment_id = experimentId,
            start_time = startTime,
            run_name = runName,
            tags = tags.Select(t => new { key = t.Key, value = t.Value }),
        })).ShouldBeOkAsync())["run"]!.AsObject();

    public async Task<string> NewRunIdAsync(string experimentId, string? runName = null) =>
        (string)(await CreateRunAsync(experimentId, runName))["info"]!["run_id"]!;

    public async Task<JsonObject> GetRunAsync(string runId) =>
        (await (await GetAsync($"runs/get?run_id={runId}")).ShouldBeOkAsync())["run"]!.AsObject();

    public Task<HttpResponseMessage> LogBatchAsync(string runId, object[]? metrics = null, object[]? parameters = null, object[]? tags = null) =>
        PostAsync("runs/log-batch", new { run_id = runId, metrics = metrics ?? [], @params = parameters ?? [], tags = tags ?? [] });

    public async Task<(List<string> RunIds, string? NextPageToken)> SearchRunsAsync(string[] experimentIds, string filter = "", string[]? orderBy = null, string? viewType = null, int? maxResults = null, string? pageToken = null)
    {
        var body = await (await PostAsync("runs/search", new
        {
            experiment_ids = experimentIds,
            filter,
            order_by = orderBy ?? [],
            run_view_type = viewType,
            max_results = maxResults,
            page_token = pageToken,
        })).ShouldBeOkAsync();
        return ([.. body["runs"]!.AsArray().Select(r => (string)r!["info"]!["run_name"]!)], (string?)body["next_page_token"]);
    }

    public static object Metric(string key, object value, long step = 0, long timestamp = 1_700_000_000_000) => new { key, value, timestamp, step };

    public static object Pair(string key, string value) => new { key, value };
}
