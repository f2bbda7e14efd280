namespace Registry.Web.Api;

/// <summary>A project's webhooks and their deliveries: MLflow 3.11's API (and ours for deliveries), Maintainers and above.</summary>
public sealed partial class RegistryApi
{
    public Task<WebhookList> WebhooksAsync(long projectId, string? pageToken, CancellationToken ct) =>
        GetAsync<WebhookList>(Mlflow(projectId) + "webhooks?" + Query(("max_results", "100"), ("page_token", pageToken)), ct);

    public async Task<Webhook> WebhookAsync(long projectId, string webhookId, CancellationToken ct) =>
        (await GetAsync<WebhookResponse>(WebhookPath(projectId, webhookId), ct)).Webhook;

    /// <summary>Newest first, each with its attempts; <paramref name="pageToken"/> is the previous page's next_page_token.</summary>
    public Task<WebhookDeliveryList> WebhookDeliveriesAsync(long projectId, string webhookId, int maxResults, string? pageToken, CancellationToken ct) =>
        GetAsync<WebhookDeliveryList>(WebhookPath(projectId, webhookId) + "/deliveries?" +
            Query(("max_results", maxResults.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("page_token", pageToken)), ct);

    public async Task<Webhook> CreateWebhookAsync(long projectId, string name, string url, IReadOnlyList<string> events, string? secret, CancellationToken ct) =>
        (await SendJsonAsync<WebhookResponse>(HttpMethod.Post, Mlflow(projectId) + "webhooks", new
        {
            name,
            url,
            events = EventsBody(events),
            secret = string.IsNullOrEmpty(secret) ? null : secret,
        }, ct)).Webhook;

    public async Task<Webhook> UpdateWebhookAsync(long projectId, string webhookId, WebhookChanges changes, CancellationToken ct) =>
        (await SendJsonAsync<WebhookResponse>(HttpMethod.Patch, WebhookPath(projectId, webhookId), new
        {
            name = changes.Name,
            description = changes.Description,
            url = changes.Url,
            events = changes.Events is null ? null : EventsBody(changes.Events),
            status = changes.Status,
            secret = changes.Secret,
        }, ct)).Webhook;

    /// <summary>Sends a delivery again with the same delivery id; the API refuses it while the webhook is disabled.</summary>
    public async Task<WebhookDelivery> RedeliverAsync(long projectId, string webhookId, string deliveryId, CancellationToken ct) =>
        (await SendJsonAsync<WebhookDeliveryResponse>(HttpMethod.Post,
            WebhookPath(projectId, webhookId) + $"/deliveries/{Uri.EscapeDataString(deliveryId)}/redeliver", new { }, ct)).Delivery;

    public async Task<WebhookTestResult> TestWebhookAsync(long projectId, string webhookId, CancellationToken ct) =>
        (await SendJsonAsync<WebhookTestResponse>(HttpMethod.Post, WebhookPath(projectId, webhookId) + "/test", new { }, ct)).Result;

    public Task DeleteWebhookAsync(long projectId, string webhookId, CancellationToken ct) =>
        SendAsync<object?>(new HttpRequestMessage(HttpMethod.Delete, WebhookPath(projectId, webhookId)), ct);

    private static string WebhookPath(long projectId, string webhookId) => Mlflow(projectId) + $"webhooks/{Uri.EscapeDataString(webhookId)}";

    /// <summary>MLflow's events: <c>{"entity": "MODEL_VERSION", "action": "CREATED"}</c> for <c>model_version.created</c>.</summary>
    private static List<object> EventsBody(IEnumerable<string> events) =>
        [.. events.Select(e => new { entity = e.Split('.')[0].ToUpperInvariant(), action = e.Split('.')[^1].ToUpperInvariant() })];
}
