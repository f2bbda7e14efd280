using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Registry.Api.Features.Webhooks;

/// <summary>
/// The body MLflow's delivery POSTs (<c>mlflow/webhooks/delivery.py</c>), byte for byte as Python's <c>json.dumps</c>
/// writes it (", " and ": " separators, non-ASCII escaped): <c>{"entity", "action", "timestamp", "data"}</c>.
/// </summary>
internal static class WebhookBody
{
    /// <param name="event"><c>entity.action</c>.</param>
    /// <param name="timestamp">When the change committed (MLflow: when it sends, which for it is the same moment).</param>
    /// <param name="data">The payload, as JSON.</param>
    public static string Build(string @event, DateTime timestamp, string data)
    {
        var dot = @event.IndexOf('.');
        var body = new StringBuilder(data.Length + 128).Append('{');
        Key(body, "entity").AppendString(@event[..dot]).Append(", ");
        Key(body, "action").AppendString(@event[(dot + 1)..]).Append(", ");
        Key(body, "timestamp").AppendString(IsoFormat(timestamp)).Append(", ");
        Key(body, "data");
        using (var document = JsonDocument.Parse(data))
        {
            Write(body, document.RootElement);
        }
        return body.Append('}').ToString();
    }

    /// <summary>Python's <c>datetime.isoformat()</c> of an aware UTC time: microseconds unless they are zero.</summary>
    public static string IsoFormat(DateTime utc)
    {
        var micros = utc.Ticks % TimeSpan.TicksPerSecond / 10;
        return utc.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)
               + (micros == 0 ? "" : "." + micros.ToString("D6", CultureInfo.InvariantCulture)) + "+00:00";
    }

    private static StringBuilder Key(StringBuilder body, string key) => body.AppendString(key).Append(": ");

    private static void Write(StringBuilder body, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                body.Append('{');
                var first = true;
                foreach (var property in value.EnumerateObject())
                {
                    body.Append(first ? "" : ", ").AppendString(property.Name).Append(": ");
                    Write(body, property.Value);
                    first = false;
                }
                body.Append('}');
                break;
            case JsonValueKind.Array:
                body.Append('[');
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    body.Append(index++ == 0 ? "" : ", ");
                    Write(body, item);
                }
                body.Append(']');
                break;
            case JsonValueKind.String:
                body.AppendString(value.GetString()!);
                break;
            default:
                body.Append(value.GetRawText());
                break;
        }
    }

    /// <summary>A JSON string as Python's <c>json.dumps(ensure_ascii=True)</c> writes it.</summary>
    private static StringBuilder AppendString(this StringBuilder body, string text)
    {
        body.Append('"');
        foreach (var c in text)
        {
            _ = c switch
            {
                '"' => body.Append("\\\""),
                '\\' => body.Append(@"\\"),
                '\n' => body.Append(@"\n"),
                '\r' => body.Append(@"\r"),
                '\t' => body.Append(@"\t"),
                '\b' => body.Append(@"\b"),
                '\f' => body.Append(@"\f"),
                >= ' ' and <= '~' => body.Append(c),
                _ => body.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
            };
        }
        return body.Append('"');
    }
}
