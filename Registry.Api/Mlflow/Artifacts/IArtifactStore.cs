namespace Registry.Api.Mlflow.Artifacts;

public sealed record ArtifactFile(string Path, bool IsDir, long? FileSize);

/// <summary>An HTTP byte range as requested: <c>bytes=From-To</c>, <c>bytes=From-</c>, or the last <c>To</c> bytes when From is null.</summary>
public sealed record RequestedRange(long? From, long? To);

/// <summary>Bytes being read from storage: the stream, where it starts, how long it is, and the whole artifact's size.</summary>
public sealed record ArtifactContent(Stream Stream, long Offset, long Length, long TotalLength) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Stream.DisposeAsync();
}

/// <summary>
/// Where artifacts live: one area per project, addressed by normalized relative paths (see <see cref="ArtifactPath"/>).
/// Writes are all or nothing: a failed or oversized upload leaves no artifact behind.
/// </summary>
public interface IArtifactStore
{
    long MaxUploadBytes { get; }

    /// <returns>The bytes stored; throws 413 when the body passes <see cref="MaxUploadBytes"/>.</returns>
    Task<long> WriteAsync(long projectId, string path, Stream body, CancellationToken cancellationToken);

    /// <returns>The bytes, or the error: 404 when there is no such artifact (<see cref="ArtifactPath.NotFound"/>), 416 when the range lies outside it.</returns>
    Task<Outcome<ArtifactContent>> OpenReadAsync(long projectId, string path, RequestedRange? range, CancellationToken cancellationToken);

    /// <summary>The direct children of a directory; empty when there is none.</summary>
    Task<IReadOnlyList<ArtifactFile>> ListAsync(long projectId, string directory, CancellationToken cancellationToken);

    /// <summary>Deletes a file or a whole directory; deleting what is not there is not an error.</summary>
    /// <returns>The bytes removed; null when there was nothing to remove.</returns>
    Task<long?> DeleteAsync(long projectId, string path, CancellationToken cancellationToken);

    /// <summary>Deletes everything a (deleted) project stored. Safe to run again after an interruption: it finishes what is left.</summary>
    Task DeleteProjectAsync(long projectId, CancellationToken cancellationToken);
}
