using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Artifacts;

namespace Registry.Api.Features.Artifacts;

internal static class ArtifactLimits
{
    public static MlflowError TooLarge(long limit) =>
        new("INVALID_PARAMETER_VALUE", $"The artifact is larger than the limit of {limit} bytes.", StatusCodes.Status413PayloadTooLarge);

    public static MlflowError Unsatisfiable(long total) =>
        new("INVALID_PARAMETER_VALUE", $"The requested range is outside the artifact's {total} bytes.", StatusCodes.Status416RangeNotSatisfiable);

    /// <summary>Resolves a requested range against an artifact's size: (offset, length), or 416.</summary>
    public static Outcome<(long Offset, long Length)> Resolve(RequestedRange? range, long total)
    {
        if (range is null)
        {
            return (0, total);
        }
        var (from, to) = range.From is null
            ? (Math.Max(0, total - (range.To ?? 0)), total - 1)
            : (range.From.Value, Math.Min(range.To ?? total - 1, total - 1));
        if (from >= total || from > to)
        {
            return Unsatisfiable(total);
        }
        return (from, to - from + 1);
    }
}

/// <summary>Reads a body while counting it, and stops with 413 the moment it passes the limit.</summary>
internal sealed class LimitedStream(Stream inner, long limit) : Stream
{
    public long BytesRead { get; private set; }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        BytesRead += read;
        return BytesRead > limit ? throw new MlflowException(ArtifactLimits.TooLarge(limit)) : read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
