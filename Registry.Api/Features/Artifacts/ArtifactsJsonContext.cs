using System.Text.Json.Serialization;

namespace Registry.Api.Features.Artifacts;

/// <summary>Source-generated JSON for the artifact proxy's multipart upload bodies (<c>RegistryApi</c> chains every feature's context).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CreateMultipartRequest))]
[JsonSerializable(typeof(CreateMultipartResponse))]
[JsonSerializable(typeof(CompleteMultipartRequest))]
[JsonSerializable(typeof(AbortMultipartRequest))]
internal sealed partial class ArtifactsJsonContext : JsonSerializerContext;
