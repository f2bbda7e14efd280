using System.Text.Json;
using System.Text.Json.Serialization;
using Registry.Api.Mlflow;

namespace Registry.Api.Features.Runs;

/// <summary>Source-generated JSON for runs' and metrics' requests and responses, snake_case as in MLflow's protos (<c>RegistryApi</c> chains every feature's context).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Run))]
[JsonSerializable(typeof(RunInfo))]
[JsonSerializable(typeof(RunResponse))]
[JsonSerializable(typeof(RunInfoResponse))]
[JsonSerializable(typeof(CreateRunRequest))]
[JsonSerializable(typeof(UpdateRunRequest))]
[JsonSerializable(typeof(RunIdRequest))]
[JsonSerializable(typeof(LogMetricRequest))]
[JsonSerializable(typeof(LogParamRequest))]
[JsonSerializable(typeof(SetRunTagRequest))]
[JsonSerializable(typeof(DeleteRunTagRequest))]
[JsonSerializable(typeof(LogBatchRequest))]
[JsonSerializable(typeof(LogInputsRequest))]
[JsonSerializable(typeof(LogModelRequest))]
[JsonSerializable(typeof(LogOutputsRequest))]
[JsonSerializable(typeof(Dataset))]
[JsonSerializable(typeof(List<KeyValue>))]
[JsonSerializable(typeof(SearchRunsRequest))]
[JsonSerializable(typeof(SearchRunsResponse))]
[JsonSerializable(typeof(MetricHistoryResponse))]
[JsonSerializable(typeof(MetricsWithRunIdResponse))]
internal sealed partial class RunsJsonContext : JsonSerializerContext
{
    /// <summary>With the wire's options (<see cref="MlflowJsonContext.ConfigureWire"/>), for JSON PostgreSQL built.</summary>
    public static RunsJsonContext Wire { get; } = new(MlflowJsonContext.ConfigureWire(new JsonSerializerOptions()));
}
