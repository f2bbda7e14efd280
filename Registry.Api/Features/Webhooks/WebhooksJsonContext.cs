using System.Text.Json;
using System.Text.Json.Serialization;
using Registry.Api.Mlflow;

namespace Registry.Api.Features.Webhooks;

/// <summary>Source-generated JSON for MLflow 3's webhooks and our deliveries, snake_case as in MLflow's protos (<c>RegistryApi</c> chains every feature's context).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CreateWebhookRequest))]
[JsonSerializable(typeof(UpdateWebhookRequest))]
[JsonSerializable(typeof(TestWebhookRequest))]
[JsonSerializable(typeof(WebhookResponse))]
[JsonSerializable(typeof(ListWebhooksResponse))]
[JsonSerializable(typeof(TestWebhookResponse))]
[JsonSerializable(typeof(WebhookDelivery))]
[JsonSerializable(typeof(WebhookDeliveryResponse))]
[JsonSerializable(typeof(ListWebhookDeliveriesResponse))]
internal sealed partial class WebhooksJsonContext : JsonSerializerContext
{
    /// <summary>With the wire's options (<see cref="MlflowJsonContext.ConfigureWire"/>), for JSON PostgreSQL built.</summary>
    public static WebhooksJsonContext Wire { get; } = new(MlflowJsonContext.ConfigureWire(new JsonSerializerOptions()));
}
