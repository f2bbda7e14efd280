using Microsoft.AspNetCore.Http.HttpResults;
using Registry.Api.Mlflow;

namespace Registry.Api.Features.Webhooks;

/// <summary>
/// <c>POST .../webhooks/{id}/test</c>, as MLflow's <c>test_webhook</c>: sends the example payload of the given event (or
/// of the webhook's first), signed, through the same safe client as deliveries, and reports what the receiver answered.
/// Nothing is recorded as a delivery. Success means a 2xx answer (redirects are not followed).
/// </summary>
internal static class WebhookTest
{
    public static async Task<Results<Ok<TestWebhookResponse>, MlflowError>> TestAsync(
        long projectId, string webhookId, JsonBody<TestWebhookRequest> body, WebhookStore store, WebhookSender sender, SecretProtection secrets,
        TimeProvider clock, CancellationToken ct)
    {
        var found = await store.TargetAsync(projectId, webhookId, ct);
        if (found.Error is { } missing)
        {
            return missing;
        }
        var target = found.Value;
        var @event = body.Value.Event is null ? target.Events[0] : WebhookValidation.Event(body.Value.Event, "event");

        var secret = target.ProtectedSecret is null ? null : await secrets.UnprotectAsync(target.ProtectedSecret, ct);
        var payload = WebhookBody.Build(@event, clock.GetUtcNow().UtcDateTime, ExamplePayloads.For(@event));
        var result = await sender.SendAsync(target.Url, secret, Guid.NewGuid(), payload, ct);
        return TypedResults.Ok(new TestWebhookResponse(new WebhookTestResult(
            result.Delivered, result.Status, result.ResponseBody, result.Status is null ? $"Failed to test webhook: {result.Error}" : null)));
    }
}
