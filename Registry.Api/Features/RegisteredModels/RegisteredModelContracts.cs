using Registry.Api.Mlflow;

namespace Registry.Api.Features.RegisteredModels;

// Wire shapes from MLflow's model_registry.proto; the JSON context names them in snake_case.

public sealed record CreateRegisteredModelRequest(string? Name, string? Description, List<TagInput?>? Tags);

public sealed record RegisteredModel(
    string Name,
    long CreationTimestamp,
    long LastUpdatedTimestamp,
    string? Description,
    string? UserId,
    IReadOnlyList<RegisteredModelTag> Tags,
    ModelVersionsJson LatestVersions,
    IReadOnlyList<RegisteredModelAlias> Aliases);

public sealed record RegisteredModelAlias(string Alias, string Version);

public sealed record RegisteredModelResponse(RegisteredModel RegisteredModel);

public sealed record UpdateRegisteredModelRequest(string? Name, string? Description);

public sealed record RenameRegisteredModelRequest(string? Name, string? NewName);

public sealed record DeleteRegisteredModelRequest(string? Name);

public sealed record SetRegisteredModelTagRequest(string? Name, string? Key, string? Value);

public sealed record DeleteRegisteredModelTagRequest(string? Name, string? Key);

public sealed record SearchRegisteredModelsResponse(IReadOnlyList<RegisteredModel> RegisteredModels, string? NextPageToken);
