using System.Text.Json;
using System.Text.Json.Serialization;
using Registry.Api.Mlflow;

namespace Registry.Api.Features.LoggedModels;

/// <summary>Source-generated JSON for MLflow 3's logged models, snake_case as in MLflow's protos (<c>RegistryApi</c> chains every feature's context).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LoggedModel))]
[JsonSerializable(typeof(LoggedModelResponse))]
[JsonSerializable(typeof(CreateLoggedModelRequest))]
[JsonSerializable(typeof(FinalizeLoggedModelRequest))]
[JsonSerializable(typeof(SetLoggedModelTagsRequest))]
[JsonSerializable(typeof(LogLoggedModelParamsRequest))]
[JsonSerializable(typeof(SearchLoggedModelsRequest))]
[JsonSerializable(typeof(SearchLoggedModelsResponse))]
internal sealed partial class LoggedModelsJsonContext : JsonSerializerContext
{
    /// <summary>With the wire's options (<see cref="MlflowJsonContext.ConfigureWire"/>), for JSON PostgreSQL built.</summary>
    public static LoggedModelsJsonContext Wire { get; } = new(MlflowJsonContext.ConfigureWire(new JsonSerializerOptions()));
}
