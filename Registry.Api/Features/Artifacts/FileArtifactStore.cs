using Microsoft.Extensions.Options;
using Registry.Api.Mlflow;

namespace Registry.Api.Features.Artifacts;

/// <summary>
/// Artifacts on the local file system, one directory per project. Uploads stream to a temporary file next to the
/// target and are renamed into place, so a reader never sees half an artifact and a failed upload leaves nothing.
/// </summary>
internal sealed class FileArtifactStore(IOptions<ArtifactOptions> options) : IArtifactStore
{
    private const int BufferSize = 81_920;

    public long MaxUploadBytes => options.Value.MaxUploadBytes;

    private string Resolve(long projectId, string path) =>
        ArtifactPath.Resolve(Path.Combine(options.Value.Root, "projects", Sql.Text(projectId)), path);

    public async Task<long> WriteAsync(long projectId, string path, Stream body, CancellationToken cancellationToken)
    {
        var target = Resolve(projectId, path);
        if (Directory.Exists(target))
        {
            throw new MlflowException(MlflowError.InvalidParameterValue($"'{path}' is a directory of artifacts, not a file."));
        }
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temporary = $"{target}.{Guid.NewGuid():N}.uploading";
        try
        {
            var limited = new LimitedStream(body, MaxUploadBytes);
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true))
            {
                await limited.CopyToAsync(file, BufferSize, cancellationToken);
            }
            File.Move(temporary, target, overwrite: true);
            return limited.BytesRead;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public Task<ArtifactContent?> OpenReadAsync(long projectId, string path, RequestedRange? range, CancellationToken cancellationToken)
    {
        var full = Resolve(projectId, path);
        if (!File.Exists(full))
        {
            return Task.FromResult<ArtifactContent?>(null);
        }
        var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true);
        try
        {
            var (offset, length) = ArtifactLimits.Resolve(range, stream.Length);
            stream.Seek(offset, SeekOrigin.Begin);
            return Task.FromResult<ArtifactContent?>(new ArtifactContent(stream, offset, length, stream.Length));
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public Task<IReadOnlyList<ArtifactFile>> ListAsync(long projectId, string directory, CancellationToken cancellationToken)
    {
        var full = Resolve(projectId, directory);
        IReadOnlyList<ArtifactFile> files = !Directory.Exists(full) ? [] :
        [
            .. new DirectoryInfo(full).EnumerateFileSystemInfos()
                .Where(entry => !entry.Name.EndsWith(".uploading", StringComparison.Ordinal))
                .OrderBy(entry => entry.Name, StringComparer.Ordinal)
                .Select(entry => entry is FileInfo file ? new ArtifactFile(entry.Name, false, file.Length) : new ArtifactFile(entry.Name, true, null)),
        ];
        return Task.FromResult(files);
    }

    public Task DeleteAsync(long projectId, string path, CancellationToken cancellationToken)
    {
        var full = Resolve(projectId, path);
        if (File.Exists(full))
        {
            File.Delete(full);
        }
        else if (Directory.Exists(full))
        {
            Directory.Delete(full, recursive: true);
        }
        return Task.CompletedTask;
    }
}
