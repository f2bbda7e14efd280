using System.Text.Json;
using System.Text.Json.Serialization;
using Registry.Api.Mlflow;

namespace Registry.Api.Features.Experiments;

/// <summary>Source-generated JSON for experiments' requests and responses, snake_case as in MLflow's protos (<c>RegistryApi</c> chains every feature's context).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Experiment))]
[JsonSerializable(typeof(ExperimentResponse))]
[JsonSerializable(typeof(CreateExperimentRequest))]
[JsonSerializable(typeof(CreateExperimentResponse))]
[JsonSerializable(typeof(SearchExperimentsRequest))]
[JsonSerializable(typeof(SearchExperimentsResponse))]
[JsonSerializable(typeof(UpdateExperimentRequest))]
[JsonSerializable(typeof(ExperimentIdRequest))]
[JsonSerializable(typeof(SetExperimentTagRequest))]
[JsonSerializable(typeof(DeleteExperimentTagRequest))]
internal sealed partial class ExperimentsJsonContext : JsonSerializerContext
{
    /// <summary>With the wire's options (<see cref="MlflowJsonContext.ConfigureWire"/>), for JSON PostgreSQL built.</summary>
    public static ExperimentsJsonContext Wire { get; } = new(MlflowJsonContext.ConfigureWire(new JsonSerializerOptions()));
}
