using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Tracking;

namespace Registry.Api.Features.LoggedModels;

// Wire shapes of MLflow 3's logged models (service.proto); the JSON context names them in snake_case.

public sealed record LoggedModelInfo(
    string ModelId, string ExperimentId, string Name, long CreationTimestampMs, long LastUpdatedTimestampMs, string ArtifactUri,
    string Status, long? CreatorId, string? ModelType, string? SourceRunId, string? StatusMessage,
    IReadOnlyList<KeyValue> Tags, IReadOnlyList<LoggedModelRegistration> Registrations);

public sealed record LoggedModelRegistration(string Name, string Version);

public sealed record LoggedModelData(IReadOnlyList<KeyValue> Params, IReadOnlyList<Metric> Metrics);

public sealed record LoggedModel(LoggedModelInfo Info, LoggedModelData Data);

public sealed record LoggedModelResponse(LoggedModel Model);

public sealed record CreateLoggedModelRequest(
    string? ExperimentId, string? Name, string? ModelType, string? SourceRunId, List<TagInput?>? Params, List<TagInput?>? Tags);

public sealed record FinalizeLoggedModelRequest(string? Status);

public sealed record SetLoggedModelTagsRequest(List<TagInput?>? Tags);

public sealed record LogLoggedModelParamsRequest(List<TagInput?>? Params);

public sealed record LoggedModelOrderBy(string? FieldName, bool? Ascending, string? DatasetName, string? DatasetDigest);

public sealed record LoggedModelDatasetFilter(string? DatasetName, string? DatasetDigest);

public sealed record SearchLoggedModelsRequest(
    List<string>? ExperimentIds, string? Filter, List<LoggedModelDatasetFilter?>? Datasets, List<LoggedModelOrderBy?>? OrderBy, long? MaxResults, string? PageToken);

public sealed record SearchLoggedModelsResponse(IReadOnlyList<LoggedModel> Models, string? NextPageToken);
