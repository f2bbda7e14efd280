using Registry.Tests.Infrastructure;

namespace Registry.Tests.Webhooks;

/// <summary>The webhook API as the MLflow client calls it: events as <c>{"entity", "action"}</c> in upper case.</summary>
public static class WebhookCalls
{
    public static JsonArray Events(params string[] events) =>
        [.. events.Select(e => (JsonNode)new JsonObject
        {
            ["entity"] = e.Split('.')[0].ToUpperInvariant(),
            ["action"] = e.Split('.')[1].ToUpperInvariant(),
        })];

    public static async Task<JsonObject> CreateWebhookAsync(
        this HttpClient http, long projectId, TestToken token, string url, string[] events, string? secret = null, string? name = null)
    {
        var body = new JsonObject { ["name"] = name ?? "hook-" + Guid.NewGuid().ToString("N")[..8], ["url"] = url, ["events"] = Events(events) };
        if (secret is not null)
        {
            body["secret"] = secret;
        }
        return (await (await http.PostJsonAsync(projectId, "webhooks", body, token)).ShouldBeOkAsync())["webhook"]!.AsObject();
    }

    public static Task<HttpResponseMessage> SendWebhookAsync(this HttpClient http, HttpMethod method, long projectId, string path, JsonObject? body, TestToken token) =>
        http.SendRawAsync(method, MlflowHttp.Path(projectId, path), body is null ? null : JsonContent.Create(body), token);

    public static async Task<JsonArray> DeliveriesAsync(this HttpClient http, long projectId, string webhookId, TestToken token) =>
        (await (await http.GetAsync(projectId, $"webhooks/{webhookId}/deliveries", token)).ShouldBeOkAsync())["deliveries"]!.AsArray();
}
