using Registry.Api.Mlflow;

namespace Registry.Api.Features.Experiments;

// Wire shapes from MLflow's service.proto; the JSON context names them in snake_case.

public sealed record Experiment(
    string ExperimentId, string Name, string ArtifactLocation, string LifecycleStage, long LastUpdateTime, long CreationTime, IReadOnlyList<KeyValue> Tags);

public sealed record ExperimentResponse(Experiment Experiment);

public sealed record CreateExperimentRequest(string? Name, string? ArtifactLocation, List<TagInput?>? Tags);

public sealed record CreateExperimentResponse(string ExperimentId);

public sealed record SearchExperimentsRequest(long? MaxResults, string? PageToken, string? Filter, List<string>? OrderBy, string? ViewType);

public sealed record SearchExperimentsResponse(IReadOnlyList<Experiment> Experiments, string? NextPageToken);

public sealed record UpdateExperimentRequest(string? ExperimentId, string? NewName);

public sealed record ExperimentIdRequest(string? ExperimentId);

public sealed record SetExperimentTagRequest(string? ExperimentId, string? Key, string? Value);

public sealed record DeleteExperimentTagRequest(string? ExperimentId, string? Key);
