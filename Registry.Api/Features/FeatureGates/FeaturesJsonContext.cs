using System.Text.Json.Serialization;

namespace Registry.Api.Features.FeatureGates;

/// <summary>Source-generated JSON for the Features API's GitLab shapes (<c>RegistryApi</c> chains every feature's context).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FeatureDto))]
[JsonSerializable(typeof(List<FeatureDto>))]
internal sealed partial class FeaturesJsonContext : JsonSerializerContext;
