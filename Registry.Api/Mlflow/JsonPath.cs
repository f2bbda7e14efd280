using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Registry.Api.Mlflow;

/// <summary>
/// Finds the value at a System.Text.Json error path (<c>$.metrics[0].value</c>) in a body, reading it as a stream
/// (never the whole body at once), to say in an error message what the client sent there.
/// </summary>
internal static class JsonPath
{
    /// <summary>A path segment: a property name, or an index when <see cref="Name"/> is null.</summary>
    public readonly record struct Segment(string? Name, int Index);

    public static Segment[]? Parse(string path)
    {
        if (!path.StartsWith('$'))
        {
            return null;
        }
        var segments = new List<Segment>();
        var i = 1;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
                segments.Add(new Segment(path[(i + 1)..end], 0));
                i = end;
            }
            else if (path.AsSpan(i).StartsWith("['"))
            {
                var end = path.IndexOf("']", i, StringComparison.Ordinal);
                if (end < 0)
                {
                    return null;
                }
                segments.Add(new Segment(path[(i + 2)..end], 0));
                i = end + 2;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i);
                if (end < 0 || !int.TryParse(path.AsSpan(i + 1, end - i - 1), out var index))
                {
                    return null;
                }
                segments.Add(new Segment(null, index));
                i = end + 1;
            }
            else
            {
                return null;
            }
        }
        return segments.Count == 0 ? null : [.. segments];
    }

    /// <summary>The path as MLflow names nested parameters: <c>metrics[0].timestamp</c>.</summary>
    public static string Display(Segment[] path)
    {
        var text = new StringBuilder();
        foreach (var segment in path)
        {
            if (segment.Name is null)
            {
                text.Append('[').Append(segment.Index).Append(']');
            }
            else
            {
                text.Append(text.Length == 0 ? "" : ".").Append(segment.Name);
            }
        }
        return text.ToString();
    }

    /// <returns>The value at <paramref name="target"/> as compact JSON with its Python type name, or null if absent.</returns>
    public static async Task<(byte[] Json, string PythonType)?> FindAsync(Stream body, Segment[] target, CancellationToken cancellationToken)
    {
        var scan = new Scan(target);
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            var (length, final, state) = (0, false, new JsonReaderState());
            while (!scan.Done)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = final ? 0 : await body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                final = read == 0;
                length += read;
                var consumed = scan.Feed(buffer.AsSpan(0, length), final, ref state);
                buffer.AsSpan(consumed, length - consumed).CopyTo(buffer);
                length -= consumed;
                if (final && !scan.Done)
                {
                    return null;
                }
            }
            return scan.Found;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The reader's walk through the document: where it is, and what it copied once it reached the target.</summary>
    private sealed class Scan(Segment[] target)
    {
        private readonly List<Segment> _at = [];
        private readonly List<bool> _inArray = [];
        private readonly ArrayBufferWriter<byte> _copy = new();
        private Utf8JsonWriter? _writer;
        private int _copyDepth;
        private string? _pythonType;

        public bool Done { get; private set; }

        public (byte[] Json, string PythonType)? Found { get; private set; }

        public int Feed(ReadOnlySpan<byte> data, bool final, ref JsonReaderState state)
        {
            var reader = new Utf8JsonReader(data, final, state);
            while (!Done && reader.Read())
            {
                if (_writer is not null)
                {
                    Copy(ref reader);
                    continue;
                }
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        _at[^1] = new Segment(reader.GetString(), 0);
                        continue;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        _at.RemoveAt(_at.Count - 1);
                        _inArray.RemoveAt(_inArray.Count - 1);
                        continue;
                }
                if (_inArray.Count > 0 && _inArray[^1])
                {
                    _at[^1] = new Segment(null, _at[^1].Name is null && _at[^1].Index >= 0 ? _at[^1].Index + 1 : 0);
                }
                if (_at.SequenceEqual(target))
                {
                    _pythonType = PythonType(ref reader);
                    _writer = new Utf8JsonWriter(_copy, JsonBodyErrors.Compact);
                    Copy(ref reader);
                }
                else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    _at.Add(new Segment("", reader.TokenType == JsonTokenType.StartArray ? -1 : 0));
                    _inArray.Add(reader.TokenType == JsonTokenType.StartArray);
                }
            }
            state = reader.CurrentState;
            return (int)reader.BytesConsumed;
        }

        private void Copy(ref Utf8JsonReader reader)
        {
            var writer = _writer!;
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject: writer.WriteStartObject(); _copyDepth++; break;
                case JsonTokenType.StartArray: writer.WriteStartArray(); _copyDepth++; break;
                case JsonTokenType.EndObject: writer.WriteEndObject(); _copyDepth--; break;
                case JsonTokenType.EndArray: writer.WriteEndArray(); _copyDepth--; break;
                case JsonTokenType.PropertyName: writer.WritePropertyName(reader.GetString()!); break;
                case JsonTokenType.String: writer.WriteStringValue(reader.GetString()); break;
                default: writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true); break;
            }
            writer.Flush();
            if (_copyDepth == 0 && reader.TokenType != JsonTokenType.PropertyName || _copy.WrittenCount > 2000)
            {
                Done = true;
                Found = (_copy.WrittenSpan.ToArray(), _pythonType!);
            }
        }

        private static string PythonType(ref Utf8JsonReader reader) => reader.TokenType switch
        {
            JsonTokenType.String => "str",
            JsonTokenType.True or JsonTokenType.False => "bool",
            JsonTokenType.Null => "NoneType",
            JsonTokenType.StartArray => "list",
            JsonTokenType.StartObject => "dict",
            _ => reader.ValueSpan.IndexOfAny((byte)'.', (byte)'e', (byte)'E') >= 0 ? "float" : "int",
        };
    }
}
