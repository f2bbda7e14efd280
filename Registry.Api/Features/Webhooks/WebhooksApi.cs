using Microsoft.AspNetCore.Http.HttpResults;
using Registry.Api.Auth;
using Registry.Api.Mlflow;

namespace Registry.Api.Features.Webhooks;

/// <summary>
/// MLflow 3.11's webhook API under each project's MLflow prefix (<c>mlflow/server/handlers.py</c>, <c>webhooks.proto</c>),
/// for Maintainers and above, plus ours: a webhook's deliveries and redelivery.
/// </summary>
internal static class WebhooksApi
{
    public static RouteGroupBuilder MapWebhooks(this RouteGroupBuilder mlflow)
    {
        var webhooks = mlflow.MapGroup("webhooks").RequireAuthorization(AccessPolicies.ProjectMaintainers);
        webhooks.MapPost("", Create);
        webhooks.MapGet("", List);
        webhooks.MapGet("{webhookId}", Get);
        webhooks.MapPatch("{webhookId}", Update);
        webhooks.MapDelete("{webhookId}", Delete);
        webhooks.MapPost("{webhookId}/test", WebhookTest.TestAsync);
        webhooks.MapGet("{webhookId}/deliveries", Deliveries);
        webhooks.MapPost("{webhookId}/deliveries/{deliveryId}/redeliver", Redeliver);
        return mlflow;
    }

    /// <summary>In MLflow's order: required fields, each event, the name, the URL, then that there is an event at all.</summary>
    private static async Task<Results<Ok<WebhookResponse>, MlflowError>> Create(
        long projectId, JsonBody<CreateWebhookRequest> body, WebhookStore store, SafeTargets targets, SecretProtection secrets, CancellationToken ct)
    {
        var request = body.Value;
        var name = WebhookValidation.Required(request.Name, "name");
        var url = WebhookValidation.Required(request.Url, "url");
        var events = WebhookValidation.Events(WebhookValidation.RequiredEvents(request.Events));
        WebhookValidation.Name(name);
        await targets.ValidateAsync(WebhookValidation.Url(url), ct);
        WebhookValidation.NonEmpty(events);
        var description = WebhookValidation.Description(string.IsNullOrEmpty(request.Description) ? null : request.Description);
        var secret = WebhookValidation.Secret(request.Secret);
        var status = WebhookValidation.Status(request.Status) ?? "ACTIVE";

        var protectedSecret = secret is null ? null : await secrets.ProtectAsync(secret, ct);
        return TypedResults.Ok(new WebhookResponse(await store.CreateAsync(projectId, name, description, url, events, protectedSecret, status, ct)));
    }

    /// <summary>MLflow's paging: <c>max_results</c> 1 to 1000 (absent or 0 means 100), an opaque <c>page_token</c> (a bad one is thrown as a 400).</summary>
    private static async Task<Results<Ok<ListWebhooksResponse>, MlflowError>> List(long projectId, HttpRequest http, WebhookStore store, CancellationToken ct)
    {
        var maxResults = MaxResults(http);
        if (maxResults.Error is { } error)
        {
            return error;
        }
        var (webhooks, next) = await store.ListAsync(projectId, maxResults.Value, http.String("page_token"), ct);
        return TypedResults.Ok(new ListWebhooksResponse(webhooks, next));
    }

    private static async Task<Results<Ok<WebhookResponse>, MlflowError>> Get(long projectId, string webhookId, WebhookStore store, CancellationToken ct) =>
        (await store.FindAsync(projectId, webhookId, ct)).Respond(webhook => new WebhookResponse(webhook));

    /// <summary>
    /// As MLflow: what is absent or empty stays as it is. Unlike MLflow 3.11, whose update re-activates a webhook when no
    /// status is sent, the status changes only when one is given.
    /// </summary>
    private static async Task<Results<Ok<WebhookResponse>, MlflowError>> Update(
        long projectId, string webhookId, JsonBody<UpdateWebhookRequest> body, WebhookStore store, SafeTargets targets, SecretProtection secrets,
        CancellationToken ct)
    {
        if ((await store.FindAsync(projectId, webhookId, ct)).Error is { } missing)
        {
            return missing;
        }
        var request = body.Value;
        string[]? events = request.Events is { Count: > 0 } given ? WebhookValidation.Events(given) : null;
        var name = string.IsNullOrEmpty(request.Name) ? null : WebhookValidation.Name(request.Name);
        var url = string.IsNullOrEmpty(request.Url) ? null : WebhookValidation.Url(request.Url);
        if (url is not null)
        {
            await targets.ValidateAsync(url, ct);
        }
        var description = WebhookValidation.Description(string.IsNullOrEmpty(request.Description) ? null : request.Description);
        var secret = WebhookValidation.Secret(request.Secret);
        var status = WebhookValidation.Status(request.Status);

        var protectedSecret = secret is null ? null : await secrets.ProtectAsync(secret, ct);
        return (await store.UpdateAsync(projectId, webhookId, name, description, url, events, protectedSecret, status, ct))
            .Respond(updated => new WebhookResponse(updated));
    }

    private static async Task<Results<Ok<EmptyResponse>, MlflowError>> Delete(long projectId, string webhookId, WebhookStore store, CancellationToken ct) =>
        (await store.DeleteAsync(projectId, webhookId, ct)).Respond(_ => EmptyResponse.Instance);

    private static async Task<Results<Ok<ListWebhookDeliveriesResponse>, MlflowError>> Deliveries(
        long projectId, string webhookId, HttpRequest http, DeliveryStore deliveries, CancellationToken ct)
    {
        var maxResults = MaxResults(http);
        if (maxResults.Error is { } error)
        {
            return error;
        }
        return (await deliveries.ListAsync(projectId, webhookId, maxResults.Value, http.String("page_token"), ct)).Respond(page => page);
    }

    private static async Task<Results<Ok<WebhookDeliveryResponse>, MlflowError>> Redeliver(
        long projectId, string webhookId, string deliveryId, DeliveryStore deliveries, WebhookDispatcher dispatcher, CancellationToken ct)
    {
        if (!Guid.TryParse(webhookId, out var id) || !Guid.TryParse(deliveryId, out var delivery))
        {
            return DeliveryStore.DeliveryNotFound(webhookId, deliveryId);
        }
        var outcome = await deliveries.RedeliverAsync(projectId, id, delivery, ct);
        if (outcome.Error is null)
        {
            dispatcher.Wake();
        }
        return outcome.Respond(redelivered => new WebhookDeliveryResponse(redelivered));
    }

    private static Outcome<int> MaxResults(HttpRequest http) => http.Long("max_results") switch
    {
        null or 0 => 100,
        >= 1 and <= 1000 and var n => (int)n,
        _ => MlflowError.InvalidParameterValue("max_results must be between 1 and 1000."),
    };
}
