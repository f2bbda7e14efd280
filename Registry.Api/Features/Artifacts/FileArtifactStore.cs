using Microsoft.Extensions.Options;
using Registry.Api.Mlflow;

namespace Registry.Api.Features.Artifacts;

public sealed record ArtifactFile(string Path, bool IsDir, long? FileSize);

/// <summary>
/// Artifacts on the local file system, one directory per project. Uploads stream to a temporary file next to the
/// target and are renamed into place, so a reader never sees half an artifact and a failed upload leaves nothing.
/// </summary>
internal sealed class FileArtifactStore(IOptions<ArtifactOptions> options)
{
    private const int BufferSize = 81_920;

    private string ProjectRoot(long projectId) => Path.Combine(options.Value.Root, "projects", Sql.Text(projectId));

    public string? FindFile(long projectId, string path)
    {
        var full = ArtifactPath.Resolve(ProjectRoot(projectId), path);
        return File.Exists(full) ? full : null;
    }

    /// <returns>The bytes stored; throws 413 when the body passes the configured limit.</returns>
    public async Task<long> WriteAsync(long projectId, string path, Stream body, CancellationToken cancellationToken)
    {
        var target = ArtifactPath.Resolve(ProjectRoot(projectId), path);
        if (Directory.Exists(target))
        {
            throw new MlflowException(MlflowError.InvalidParameterValue($"'{path}' is a directory of artifacts, not a file."));
        }
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temporary = $"{target}.{Guid.NewGuid():N}.uploading";
        try
        {
            long written = 0;
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true))
            {
                var buffer = new byte[BufferSize];
                int read;
                while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    written += read;
                    if (written > options.Value.MaxUploadBytes)
                    {
                        throw new MlflowException(TooLarge(options.Value.MaxUploadBytes));
                    }
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }
            File.Move(temporary, target, overwrite: true);
            return written;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>The direct children of a directory (MLflow lists one level), or null when the path is a file.</summary>
    public IReadOnlyList<ArtifactFile> List(long projectId, string directory)
    {
        var full = ArtifactPath.Resolve(ProjectRoot(projectId), directory);
        if (!Directory.Exists(full))
        {
            return [];
        }
        return [.. new DirectoryInfo(full).EnumerateFileSystemInfos()
            .Where(entry => !entry.Name.EndsWith(".uploading", StringComparison.Ordinal))
            .OrderBy(entry => entry.Name, StringComparer.Ordinal)
            .Select(entry => entry is FileInfo file
                ? new ArtifactFile(entry.Name, false, file.Length)
                : new ArtifactFile(entry.Name, true, null))];
    }

    /// <returns>false when nothing was there.</returns>
    public bool Delete(long projectId, string path)
    {
        var full = ArtifactPath.Resolve(ProjectRoot(projectId), path);
        if (File.Exists(full))
        {
            File.Delete(full);
            return true;
        }
        if (Directory.Exists(full))
        {
            Directory.Delete(full, recursive: true);
            return true;
        }
        return false;
    }

    public long MaxUploadBytes => options.Value.MaxUploadBytes;

    public static MlflowError TooLarge(long limit) =>
        new("INVALID_PARAMETER_VALUE", $"The artifact is larger than the limit of {limit} bytes.", StatusCodes.Status413PayloadTooLarge);
}
