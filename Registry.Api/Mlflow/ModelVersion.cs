namespace Registry.Api.Mlflow;

// Wire shapes from MLflow's model_registry.proto that both registry features use (a registered model carries its
// latest versions; a version carries tags shaped like a model's).

public sealed record ModelVersion(
    string Name,
    string Version,
    long CreationTimestamp,
    long LastUpdatedTimestamp,
    string? UserId,
    string CurrentStage,
    string? Description,
    string? Source,
    string? RunId,
    string Status,
    string? StatusMessage,
    IReadOnlyList<RegisteredModelTag> Tags,
    string? RunLink,
    IReadOnlyList<string> Aliases,
    string? ModelId);

public sealed record RegisteredModelTag(string Key, string Value);
