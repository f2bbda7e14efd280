using System.Buffers;

namespace Registry.Api.Mlflow;

/// <summary>
/// A JSON request body checked as it is read, before the serializer buffers or builds anything from it: at most
/// <c>maxBytes</c> in all (whatever the framing: chunked bodies carry no length), strings no longer than any MLflow field
/// needs, arrays no longer than any MLflow request needs, bounded nesting and number/whitespace runs. So a hostile body
/// costs a bounded amount of memory however it is shaped: the serializer never grows its buffer past one legal token and
/// never builds more than a legal request's worth of objects.
/// </summary>
internal sealed class JsonLimitStream(Stream inner, long maxBytes) : Stream
{
    /// <summary>
    /// Raw bytes of one string, escapes included. MLflow's longest ordinary field is a 3.x registry tag value
    /// (100,000 characters); a few fields may be as large as the body itself (<see cref="LargeFields"/>).
    /// </summary>
    public const int MaxStringBytes = 256 * 1024;

    /// <summary>The longest array a legal request has: 10,000 multipart parts (log-batch has at most 1000 metrics).</summary>
    public const int MaxArrayElements = 10_000;

    public const int MaxDepth = 64;

    /// <summary>A number, literal or run of whitespace longer than this is no JSON a client sends.</summary>
    private const int MaxRunBytes = 64 * 1024;

    /// <summary>Dataset schemas and profiles (MLflow allows 1 MiB and 16 MiB) and logged models' JSON.</summary>
    private static readonly byte[][] LargeFields = ["schema"u8.ToArray(), "profile"u8.ToArray(), "model_json"u8.ToArray()];

    /// <summary>Bytes that end a number, literal or whitespace run.</summary>
    private static readonly SearchValues<byte> Structural = SearchValues.Create("\"{}[],:"u8);

    private readonly bool[] _isArray = new bool[MaxDepth + 1];
    private readonly bool[] _expectKey = new bool[MaxDepth + 1];
    private readonly int[] _elements = new int[MaxDepth + 1];
    private readonly byte[] _key = new byte[16];
    private long _total;
    private int _depth;
    private bool _inString, _escaped, _stringIsKey, _lastKeyIsLarge;
    private long _stringBytes, _stringLimit;
    private int _runBytes, _keyLength;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        Check(buffer.Span[..read]);
        return read;
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = inner.Read(buffer, offset, count);
        Check(buffer.AsSpan(offset, read));
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void Check(ReadOnlySpan<byte> bytes)
    {
        _total += bytes.Length;
        if (_total > maxBytes)
        {
            throw new MlflowException(new MlflowError("INVALID_PARAMETER_VALUE",
                $"The request body is larger than this server accepts ({maxBytes} bytes).", StatusCodes.Status413PayloadTooLarge));
        }
        for (var i = 0; i < bytes.Length; i++)
        {
            if (_inString)
            {
                i = InString(bytes, i);
                continue;
            }
            switch (bytes[i])
            {
                case (byte)'"':
                    StartString();
                    break;
                case (byte)'{' or (byte)'[':
                    if (++_depth > MaxDepth)
                    {
                        throw Refused($"The request body nests deeper than {MaxDepth} levels.");
                    }
                    (_isArray[_depth], _expectKey[_depth], _elements[_depth], _runBytes) = (bytes[i] == '[', bytes[i] == '{', 0, 0);
                    break;
                case (byte)'}' or (byte)']':
                    _depth = Math.Max(0, _depth - 1);
                    _runBytes = 0;
                    break;
                case (byte)',':
                    if (_isArray[_depth] && ++_elements[_depth] >= MaxArrayElements)
                    {
                        throw Refused($"A list in the request body has more than {MaxArrayElements} entries; no MLflow request needs that many.");
                    }
                    _expectKey[_depth] = !_isArray[_depth];
                    _runBytes = 0;
                    break;
                case (byte)':':
                    _expectKey[_depth] = false;
                    _runBytes = 0;
                    break;
                default:
                    // The whole run up to the next structural byte at once: numbers are most of a log-batch's bytes.
                    var run = bytes[i..].IndexOfAny(Structural);
                    var length = run < 0 ? bytes.Length - i : run;
                    _runBytes += length;
                    if (_runBytes > MaxRunBytes)
                    {
                        throw Refused($"The request body has a number, literal or whitespace run longer than {MaxRunBytes} bytes.");
                    }
                    i += length - 1;
                    break;
            }
        }
    }

    private void StartString()
    {
        _inString = true;
        _runBytes = 0;
        _stringBytes = 0;
        _stringIsKey = _depth > 0 && !_isArray[_depth] && _expectKey[_depth];
        _keyLength = 0;
        _stringLimit = !_stringIsKey && _lastKeyIsLarge ? maxBytes : MaxStringBytes;
    }

    /// <returns>The index of the last byte consumed.</returns>
    private int InString(ReadOnlySpan<byte> bytes, int start)
    {
        if (_escaped)
        {
            _escaped = false;
            Count(bytes.Slice(start, 1));
            return start;
        }
        var next = bytes[start..].IndexOfAny((byte)'"', (byte)'\\');
        var end = next < 0 ? bytes.Length : start + next;
        Count(bytes[start..end]);
        if (end == bytes.Length)
        {
            return end - 1;
        }
        if (bytes[end] == '\\')
        {
            _escaped = true;
            Count(bytes.Slice(end, 1));
            return end;
        }
        _inString = false;
        if (_stringIsKey)
        {
            _lastKeyIsLarge = IsLargeField(_keyLength <= _key.Length ? _key.AsSpan(0, _keyLength) : default);
        }
        return end;
    }

    private static bool IsLargeField(ReadOnlySpan<byte> key)
    {
        foreach (var field in LargeFields)
        {
            if (key.SequenceEqual(field))
            {
                return true;
            }
        }
        return false;
    }

    private void Count(ReadOnlySpan<byte> part)
    {
        _stringBytes += part.Length;
        if (_stringBytes > _stringLimit)
        {
            throw Refused($"A string in the request body is longer than {MaxStringBytes} bytes; no MLflow field takes that much.");
        }
        if (_stringIsKey)
        {
            if (_keyLength < _key.Length)
            {
                part[..Math.Min(part.Length, _key.Length - _keyLength)].CopyTo(_key.AsSpan(_keyLength));
            }
            _keyLength += part.Length;
        }
    }

    private static MlflowException Refused(string message) => new(MlflowError.InvalidParameterValue(message));

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _total; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
