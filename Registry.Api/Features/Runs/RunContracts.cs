using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Tracking;

namespace Registry.Api.Features.Runs;

// Wire shapes from MLflow's service.proto; the JSON context names them in snake_case.

public sealed record RunInfo(
    string RunId, string RunUuid, string? RunName, string ExperimentId, string? UserId, string Status,
    long StartTime, long? EndTime, string ArtifactUri, string LifecycleStage);

public sealed record MetricWithRunId(string Key, double Value, long Timestamp, long Step, string RunId);

public sealed record RunData(IReadOnlyList<Metric> Metrics, IReadOnlyList<KeyValue> Params, IReadOnlyList<KeyValue> Tags);

public sealed record Dataset(string? Name, string? Digest, string? SourceType, string? Source, string? Schema, string? Profile);

public sealed record DatasetInput(List<TagInput?>? Tags, Dataset? Dataset);

public sealed record ModelInput(string? ModelId);

public sealed record RunInputs(IReadOnlyList<DatasetInput> DatasetInputs, IReadOnlyList<ModelInput> ModelInputs);

public sealed record ModelOutput(string? ModelId, long? Step);

public sealed record RunOutputs(IReadOnlyList<ModelOutput> ModelOutputs);

public sealed record Run(RunInfo Info, RunData Data, RunInputs Inputs, RunOutputs Outputs);

public sealed record RunResponse(Run Run);

public sealed record RunInfoResponse(RunInfo RunInfo);

public sealed record CreateRunRequest(string? ExperimentId, string? UserId, long? StartTime, List<TagInput?>? Tags, string? RunName);

public sealed record UpdateRunRequest(string? RunId, string? RunUuid, string? Status, long? EndTime, string? RunName);

public sealed record RunIdRequest(string? RunId);

public sealed record MetricInput(string? Key, double? Value, long? Timestamp, long? Step, string? ModelId, string? DatasetName, string? DatasetDigest);

public sealed record LogMetricRequest(
    string? RunId, string? RunUuid, string? Key, double? Value, long? Timestamp, long? Step, string? ModelId, string? DatasetName, string? DatasetDigest);

public sealed record LogParamRequest(string? RunId, string? RunUuid, string? Key, string? Value);

public sealed record SetRunTagRequest(string? RunId, string? RunUuid, string? Key, string? Value);

public sealed record DeleteRunTagRequest(string? RunId, string? Key);

public sealed record LogBatchRequest(string? RunId, List<MetricInput?>? Metrics, List<TagInput?>? Params, List<TagInput?>? Tags);

public sealed record LogInputsRequest(string? RunId, List<DatasetInput?>? Datasets, List<ModelInput?>? Models);

public sealed record LogModelRequest(string? RunId, string? ModelJson);

public sealed record LogOutputsRequest(string? RunId, List<ModelOutput?>? Models);

public sealed record SearchRunsRequest(
    List<string>? ExperimentIds, string? Filter, string? RunViewType, long? MaxResults, List<string>? OrderBy, string? PageToken);

public sealed record SearchRunsResponse(IReadOnlyList<Run> Runs, string? NextPageToken);

public sealed record MetricHistoryResponse(IReadOnlyList<Metric> Metrics, string? NextPageToken);

public sealed record MetricsWithRunIdResponse(IReadOnlyList<MetricWithRunId> Metrics);
