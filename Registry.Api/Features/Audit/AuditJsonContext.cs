using System.Text.Json.Serialization;

namespace Registry.Api.Features.Audit;

/// <summary>Source-generated JSON for audit events, in GitLab's shape (<c>RegistryApi</c> chains every feature's context).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AuditEventDto))]
[JsonSerializable(typeof(IReadOnlyList<AuditEventDto>))]
internal sealed partial class AuditJsonContext : JsonSerializerContext;
