using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Artifacts;

namespace Registry.Api.Features.Artifacts;

public sealed record MultipartCredential(string Url, long PartNumber, Dictionary<string, string> Headers);

public sealed record CreateMultipartRequest(string? Path, long? NumParts);

public sealed record CreateMultipartResponse(string UploadId, IReadOnlyList<MultipartCredential> Credentials);

public sealed record MultipartPart(long? PartNumber, string? Etag, string? Url);

public sealed record CompleteMultipartRequest(string? Path, string? UploadId, List<MultipartPart?>? Parts);

public sealed record AbortMultipartRequest(string? Path, string? UploadId);

/// <summary>
/// Where a multipart upload goes, as MLflow's server and S3 artifact repository place it: the URL's
/// <c>mpu/create|complete|abort/&lt;artifact_path&gt;</c> names the destination directory, and the base name of the body's
/// <c>path</c> (the client's local file) is the file's name in it.
/// </summary>
internal static class MultipartPath
{
    public static string Of(string? directory, string? localFile)
    {
        if (string.IsNullOrEmpty(localFile))
        {
            throw new MlflowException(MlflowError.InvalidParameterValue(
                "Missing value for required parameter 'path'. See the API docs for more information about request parameters."));
        }
        // A Windows client sends C:\dir\file: its base name is what follows the last separator of either kind.
        var fileName = localFile[(localFile.LastIndexOfAny(['/', '\\']) + 1)..];
        if (fileName is "" or "." or "..")
        {
            throw new MlflowException(MlflowError.InvalidParameterValue($"Invalid multipart upload path '{fileName}': 'path' must end in a file name."));
        }
        var folder = ArtifactPath.Normalize(directory, allowEmpty: true);
        return ArtifactPath.Normalize(folder.Length == 0 ? fileName : $"{folder}/{fileName}", allowEmpty: false);
    }
}

/// <summary>
/// Stores that let clients upload the parts of a large artifact straight to storage (MLflow's proxied multipart upload,
/// used with MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD=true): the server hands out one presigned URL per part.
/// </summary>
public interface IMultipartArtifactStore
{
    Task<CreateMultipartResponse> CreateMultipartAsync(long projectId, string path, int parts, CancellationToken cancellationToken);

    /// <summary>Assembles the parts; throws 413 (and removes the object) when the result passes the upload limit.</summary>
    /// <returns>The assembled artifact's size in bytes.</returns>
    Task<long> CompleteMultipartAsync(long projectId, string path, string uploadId, IReadOnlyList<(int PartNumber, string ETag)> parts, CancellationToken cancellationToken);

    Task AbortMultipartAsync(long projectId, string path, string uploadId, CancellationToken cancellationToken);
}
