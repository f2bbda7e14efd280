namespace Registry.Web.Api;

/// <summary>A project's webhooks and their deliveries: MLflow 3.11's API (and ours for deliveries), Maintainers and above.</summary>
public sealed partial class RegistryApi
{
    public Task<WebhookList> WebhooksAsync(long projectId, string? pageToken, CancellationToken ct) =>
        GetAsync<WebhookList>(Mlflow(projectId) + "webhooks?" + Query(("max_results", "100"), ("page_token", pageToken)), ct);

    public async Task<Webhook> WebhookAsync(long projectId, string webhookId, CancellationToken ct) =>
        (await GetAsync<WebhookResponse>(Mlflow(projectId) + $"webhooks/{Uri.EscapeDataString(webhookId)}", ct)).Webhook;

    public Task<WebhookDeliveryList> WebhookDeliveriesAsync(long projectId, string webhookId, int maxResults, CancellationToken ct) =>
        GetAsync<WebhookDeliveryList>(Mlflow(projectId) + $"webhooks/{Uri.EscapeDataString(webhookId)}/deliveries?" +
            Query(("max_results", maxResults.ToString(System.Globalization.CultureInfo.InvariantCulture))), ct);

    public async Task<Webhook> CreateWebhookAsync(long projectId, string name, string url, IReadOnlyList<string> events, string? secret, CancellationToken ct) =>
        (await SendJsonAsync<WebhookResponse>(HttpMethod.Post, Mlflow(projectId) + "webhooks", new
        {
            name,
            url,
            events = events.Select(e => new { entity = e.Split('.')[0].ToUpperInvariant(), action = e.Split('.')[^1].ToUpperInvariant() }).ToList(),
            secret = string.IsNullOrEmpty(secret) ? null : secret,
        }, ct)).Webhook;

    public async Task<WebhookTestResult> TestWebhookAsync(long projectId, string webhookId, CancellationToken ct) =>
        (await SendJsonAsync<WebhookTestResponse>(HttpMethod.Post, Mlflow(projectId) + $"webhooks/{Uri.EscapeDataString(webhookId)}/test", new { }, ct)).Result;

    public Task DeleteWebhookAsync(long projectId, string webhookId, CancellationToken ct) =>
        SendAsync<object?>(new HttpRequestMessage(HttpMethod.Delete, Mlflow(projectId) + $"webhooks/{Uri.EscapeDataString(webhookId)}"), ct);
}
