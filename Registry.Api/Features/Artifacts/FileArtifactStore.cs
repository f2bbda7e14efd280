using Microsoft.Extensions.Options;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Artifacts;

namespace Registry.Api.Features.Artifacts;

/// <summary>
/// Artifacts on the local file system, one directory per project. Uploads stream to a temporary file in a staging
/// directory beside the projects and are renamed into place, so a reader never sees half an artifact and a failed
/// upload leaves nothing. Directories are deleted by renaming them out of the way first: requests that write, list and
/// delete in the same directory at once each see it before or after, never half gone.
/// </summary>
internal sealed class FileArtifactStore(IOptions<ArtifactOptions> options) : IArtifactStore
{
    private const int BufferSize = 81_920;
    private const int ConcurrentChangeAttempts = 8;

    public long MaxUploadBytes => options.Value.MaxUploadBytes;

    private string Resolve(long projectId, string path) =>
        ArtifactPath.Resolve(Path.Combine(options.Value.Root, "projects", WireIds.Text(projectId)), path);

    /// <summary>A fresh name outside every project, on the same file system (so renames into place are atomic).</summary>
    private string Scratch(string purpose)
    {
        var directory = Path.Combine(options.Value.Root, purpose);
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, Guid.NewGuid().ToString("N"));
    }

    public async Task<long> WriteAsync(long projectId, string path, Stream body, CancellationToken cancellationToken)
    {
        ArtifactPath.RefuseUnwritableNames(path);
        var target = Resolve(projectId, path);
        if (Directory.Exists(target))
        {
            throw ArtifactPath.IsDirectory(path);
        }
        var segments = path.Split('/');
        for (var i = 1; i < segments.Length; i++)
        {
            if (File.Exists(Resolve(projectId, string.Join('/', segments[..i]))))
            {
                throw ArtifactPath.FileInTheWay(string.Join('/', segments[..i]), path);
            }
        }
        var temporary = Scratch("uploading");
        try
        {
            var limited = new LimitedStream(body, MaxUploadBytes);
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true))
            {
                await limited.CopyToAsync(file, BufferSize, cancellationToken);
            }
            PlaceAt(temporary, target);
            return limited.BytesRead;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Renames the file into place, creating its directory again if a concurrent delete just removed it.</summary>
    private static void PlaceAt(string temporary, string target)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Move(temporary, target, overwrite: true);
                return;
            }
            // The directory went between the two calls (rename(2) says ENOENT, reported as a missing file) or during
            // CreateDirectory (which then reports it "already exists"); the upload itself is still in the staging directory.
            catch (IOException) when (attempt < ConcurrentChangeAttempts && File.Exists(temporary))
            {
            }
        }
    }

    public Task<Outcome<ArtifactContent>> OpenReadAsync(long projectId, string path, RequestedRange? range, CancellationToken cancellationToken) =>
        Task.FromResult(OpenRead(projectId, path, range));

    private Outcome<ArtifactContent> OpenRead(long projectId, string path, RequestedRange? range)
    {
        var full = Resolve(projectId, path);
        if (!File.Exists(full))
        {
            return ArtifactPath.NotFound(path);
        }
        FileStream stream;
        try
        {
            stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return ArtifactPath.NotFound(path); // deleted since File.Exists
        }
        try
        {
            var slice = ArtifactLimits.Resolve(range, stream.Length);
            if (slice.Error is { } unsatisfiable)
            {
                stream.Dispose();
                return unsatisfiable;
            }
            var (offset, length) = slice.Value;
            stream.Seek(offset, SeekOrigin.Begin);
            return new ArtifactContent(stream, offset, length, stream.Length);
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
        var files = new List<ArtifactFile>();
        if (!Directory.Exists(full))
        {
            return Task.FromResult<IReadOnlyList<ArtifactFile>>(files); // also a file, or a name the file system cannot hold
        }
        try
        {
            foreach (var entry in new DirectoryInfo(full).EnumerateFileSystemInfos())
            {
                if (entry is not FileInfo file)
                {
                    files.Add(new ArtifactFile(entry.Name, true, null));
                }
                else if (LengthOf(file) is { } length)
                {
                    files.Add(new ArtifactFile(entry.Name, false, length));
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            return Task.FromResult<IReadOnlyList<ArtifactFile>>([]); // deleted while listed
        }
        files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return Task.FromResult<IReadOnlyList<ArtifactFile>>(files);
    }

    /// <returns>null when the file was deleted after the directory was read.</returns>
    private static long? LengthOf(FileInfo file)
    {
        try
        {
            return file.Length;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Moved out of the way first (a rename), so that of two concurrent deletes only one removes it and counts its bytes.</summary>
    public Task<long?> DeleteAsync(long projectId, string path, CancellationToken cancellationToken)
    {
        var full = Resolve(projectId, path);
        var isFile = File.Exists(full);
        if (!isFile && !Directory.Exists(full))
        {
            return Task.FromResult<long?>(null);
        }
        var trash = Scratch("deleting");
        try
        {
            if (isFile)
            {
                File.Move(full, trash);
            }
            else
            {
                Directory.Move(full, trash);
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<long?>(null); // a concurrent delete moved it first
        }
        if (isFile)
        {
            var length = new FileInfo(trash).Length;
            File.Delete(trash);
            return Task.FromResult<long?>(length);
        }
        var bytes = new DirectoryInfo(trash).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        Directory.Delete(trash, recursive: true);
        return Task.FromResult<long?>(bytes);
    }

    /// <summary>
    /// In place (not renamed aside first), so that whatever an interrupted run leaves is still found by the next. Tried
    /// again while the directory is still there: a late upload (see <see cref="DeletedProjectGuard"/>) or a second
    /// deletion working the same tree makes a pass fail with "not empty" or a vanished entry.
    /// </summary>
    public Task DeleteProjectAsync(long projectId, CancellationToken cancellationToken)
    {
        var root = Resolve(projectId, "");
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Directory.Delete(root, recursive: true);
                return Task.CompletedTask;
            }
            catch (IOException) when (!Directory.Exists(root))
            {
                return Task.CompletedTask; // nothing stored, or deleted by someone else meanwhile
            }
            catch (IOException) when (attempt < ConcurrentChangeAttempts)
            {
            }
        }
    }
}
