using System.Text.Json.Serialization;

namespace Registry.Api.Features.RegisteredModels;

/// <summary>Source-generated JSON for registered models' requests and responses, snake_case as in MLflow's protos (<c>RegistryApi</c> chains every feature's context).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CreateRegisteredModelRequest))]
[JsonSerializable(typeof(UpdateRegisteredModelRequest))]
[JsonSerializable(typeof(RenameRegisteredModelRequest))]
[JsonSerializable(typeof(DeleteRegisteredModelRequest))]
[JsonSerializable(typeof(SetRegisteredModelTagRequest))]
[JsonSerializable(typeof(DeleteRegisteredModelTagRequest))]
[JsonSerializable(typeof(RegisteredModelResponse))]
[JsonSerializable(typeof(SearchRegisteredModelsResponse))]
internal sealed partial class RegisteredModelsJsonContext : JsonSerializerContext;
