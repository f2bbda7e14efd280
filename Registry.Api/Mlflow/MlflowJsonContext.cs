using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Registry.Api.Mlflow.Artifacts;

namespace Registry.Api.Mlflow;

/// <summary>
/// Source-generated JSON for the wire types features share (errors, empty answers, model versions, artifact listings),
/// snake_case as in MLflow's protos. Each feature has its own context for its own types; <c>RegistryApi</c> chains them all
/// (<see cref="MlflowWire"/>). Every context is generated with these same options.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(MlflowErrorBody))]
[JsonSerializable(typeof(EmptyResponse))]
[JsonSerializable(typeof(IReadOnlyList<ModelVersion>))]
[JsonSerializable(typeof(ListArtifactsResponse))]
internal sealed partial class MlflowJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The options every MLflow body is written with. Relaxed escaping: these are JSON bodies for API clients, never
    /// embedded in HTML, and <c>\u0027</c> for every apostrophe makes error messages hard to read.
    /// </summary>
    public static MlflowJsonContext Wire { get; } = new(ConfigureWire(new JsonSerializerOptions()));

    public static JsonSerializerOptions ConfigureWire(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        // Metric values travel as "NaN", "Infinity", "-Infinity"; int64 may arrive as strings (protobuf's JSON mapping).
        options.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals | JsonNumberHandling.AllowReadingFromString;
        return options;
    }
}
