using Registry.Api.Mlflow;

namespace Registry.Api.Features.ModelVersions;

// Wire shapes from MLflow's model_registry.proto; the JSON context names them in snake_case.

public sealed record ModelVersionResponse(ModelVersion ModelVersion);

public sealed record ModelVersionsResponse(IReadOnlyList<ModelVersion> ModelVersions);

public sealed record SearchModelVersionsResponse(IReadOnlyList<ModelVersion> ModelVersions, string? NextPageToken);

public sealed record DownloadUriResponse(string ArtifactUri);

public sealed record CreateModelVersionRequest(
    string? Name, string? Source, string? RunId, string? RunLink, string? Description, List<TagInput?>? Tags, string? ModelId);

public sealed record UpdateModelVersionRequest(string? Name, string? Version, string? Description);

public sealed record ModelVersionRequest(string? Name, string? Version);

public sealed record TransitionStageRequest(string? Name, string? Version, string? Stage, bool? ArchiveExistingVersions);

public sealed record SetModelVersionTagRequest(string? Name, string? Version, string? Key, string? Value);

public sealed record DeleteModelVersionTagRequest(string? Name, string? Version, string? Key);

public sealed record GetLatestVersionsRequest(string? Name, List<string?>? Stages);

public sealed record SetAliasRequest(string? Name, string? Alias, string? Version);

public sealed record DeleteAliasRequest(string? Name, string? Alias);
