namespace Registry.Api.Features.FeatureGates;

// GitLab's Features API shapes (doc/api/features.md): a flag's state and its gates.

/// <param name="State"><c>on</c> for every project, <c>off</c> for every project, or <c>conditional</c>.</param>
public sealed record FeatureDto(string Name, string State, IReadOnlyList<FeatureGateDto> Gates);

/// <summary>
/// <c>boolean</c> (the gate for every project, true or false), <c>actors</c> (projects it is on for, as
/// <c>Project:&lt;id&gt;</c>) and, beyond GitLab, <c>disabled_actors</c> (projects it is off for whatever else says).
/// </summary>
public sealed record FeatureGateDto(string Key, System.Text.Json.Nodes.JsonNode Value);
