using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Registry.Api.Mlflow;

/// <summary>
/// A JSON array of model versions as PostgreSQL built it (<see cref="ModelVersionSql.LatestVersionsJson"/>: MLflow's
/// field names, compact, nulls left out), written into the response unparsed. A search page of 100 models carries
/// hundreds of versions, and parsing them only to write them again would be most of what the page allocates.
/// </summary>
[JsonConverter(typeof(ModelVersionsJsonConverter))]
public sealed class ModelVersionsJson(byte[] utf8)
{
    public static ModelVersionsJson Empty { get; } = new("[]"u8.ToArray());

    public ReadOnlySpan<byte> Utf8 => utf8;
}

internal sealed class ModelVersionsJsonConverter : JsonConverter<ModelVersionsJson>
{
    public override ModelVersionsJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException("Model versions must be a JSON array.");
        }
        return new ModelVersionsJson(Encoding.UTF8.GetBytes(document.RootElement.GetRawText()));
    }

    // PostgreSQL's JSON functions only produce valid JSON: no second pass to check it.
    public override void Write(Utf8JsonWriter writer, ModelVersionsJson value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Utf8, skipInputValidation: true);
}
