using System.Text.Json;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Search;

namespace Registry.Api.Features.Runs;

/// <summary>
/// Writes a page of metric history straight from the database reader into the response, MLflow's
/// <c>{"metrics": [{key, value, timestamp, step}], "next_page_token"}</c>. A page is up to 25,000 points: building them as
/// objects and serializing those cost more than the query, so this is the one hand-written JSON writer.
/// </summary>
internal sealed class MetricHistoryPage(MetricHistoryCursor cursor, string key, int maxResults) : IResult
{
    // Encoded (and escaped) once, not once per point: the same bytes the string overloads write.
    private static readonly JsonEncodedText KeyName = JsonEncodedText.Encode("key");
    private static readonly JsonEncodedText ValueName = JsonEncodedText.Encode("value");
    private static readonly JsonEncodedText TimestampName = JsonEncodedText.Encode("timestamp");
    private static readonly JsonEncodedText StepName = JsonEncodedText.Encode("step");

    public async Task ExecuteAsync(HttpContext http)
    {
        await using var _ = cursor;
        var cancellationToken = http.RequestAborted;
        http.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(http.Response.BodyWriter, new JsonWriterOptions { SkipValidation = true });
        json.WriteStartObject();
        json.WriteStartArray("metrics");
        var encodedKey = JsonEncodedText.Encode(key);
        (double Value, long Timestamp, long Step) last = default;
        string? nextPageToken = null;
        for (var count = 0; await cursor.NextAsync(cancellationToken) is { } point; count++)
        {
            if (count == maxResults)
            {
                nextPageToken = PageToken.Encode(cursor.Query, [last.Step, last.Timestamp, BitConverter.DoubleToInt64Bits(last.Value)]);
                break;
            }
            json.WriteStartObject();
            json.WriteString(KeyName, encodedKey);
            WriteValue(json, point.Value);
            json.WriteNumber(TimestampName, point.Timestamp);
            json.WriteNumber(StepName, point.Step);
            json.WriteEndObject();
            last = point;
            if (json.BytesPending > 32_768)
            {
                await json.FlushAsync(cancellationToken);
            }
        }
        json.WriteEndArray();
        if (nextPageToken is not null)
        {
            json.WriteString("next_page_token", nextPageToken);
        }
        json.WriteEndObject();
        await json.FlushAsync(cancellationToken);
    }

    /// <summary>As MLflow sends them: non-finite values are the strings "NaN", "Infinity", "-Infinity".</summary>
    private static void WriteValue(Utf8JsonWriter json, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(ValueName, value);
        }
        else
        {
            json.WriteString(ValueName, double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }
}
