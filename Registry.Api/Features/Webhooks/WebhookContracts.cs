using System.Text.Json;

namespace Registry.Api.Features.Webhooks;

// Wire shapes from MLflow 3.11's webhooks.proto; enums travel as their names (numbers are accepted too, as protobuf's
// JSON mapping allows). Registry's additions: status_reason, and the deliveries API.

public sealed record WebhookEventInput(JsonElement? Entity, JsonElement? Action);

public sealed record CreateWebhookRequest(
    string? Name, string? Description, string? Url, List<WebhookEventInput?>? Events, string? Secret, JsonElement? Status);

public sealed record UpdateWebhookRequest(
    string? Name, string? Description, string? Url, List<WebhookEventInput?>? Events, string? Secret, JsonElement? Status);

public sealed record TestWebhookRequest(WebhookEventInput? Event);

public sealed record WebhookEvent(string Entity, string Action);

/// <param name="StatusReason">Ours: why the registry disabled the webhook (it failed for a day).</param>
public sealed record Webhook(
    string WebhookId, string Name, string? Description, string Url, IReadOnlyList<WebhookEvent> Events, string Status,
    long CreationTimestamp, long LastUpdatedTimestamp, string? StatusReason);

public sealed record WebhookResponse(Webhook Webhook);

public sealed record ListWebhooksResponse(IReadOnlyList<Webhook> Webhooks, string? NextPageToken);

public sealed record WebhookTestResult(bool Success, int? ResponseStatus, string? ResponseBody, string? ErrorMessage);

public sealed record TestWebhookResponse(WebhookTestResult Result);

/// <summary>Ours: one event for one webhook, and every attempt to deliver it.</summary>
public sealed record WebhookDelivery(
    string DeliveryId, string Event, string State, int Attempts, long CreationTimestamp, long? NextAttemptTimestamp,
    long? DeliveredTimestamp, int? LastResponseStatus, string? LastError, JsonElement Payload, IReadOnlyList<WebhookDeliveryAttempt> AttemptHistory);

public sealed record WebhookDeliveryAttempt(long Timestamp, int DurationMs, int? ResponseStatus, string? ResponseBody, string? Error);

public sealed record WebhookDeliveryResponse(WebhookDelivery Delivery);

public sealed record ListWebhookDeliveriesResponse(IReadOnlyList<WebhookDelivery> Deliveries, string? NextPageToken);
