namespace Registry.Api.Features.Artifacts;

public sealed record MultipartCredential(string Url, long PartNumber, Dictionary<string, string> Headers);

public sealed record CreateMultipartRequest(string? Path, long? NumParts);

public sealed record CreateMultipartResponse(string UploadId, IReadOnlyList<MultipartCredential> Credentials);

public sealed record MultipartPart(long? PartNumber, string? Etag, string? Url);

public sealed record CompleteMultipartRequest(string? Path, string? UploadId, List<MultipartPart?>? Parts);

public sealed record AbortMultipartRequest(string? Path, string? UploadId);

/// <summary>
/// Stores that let clients upload the parts of a large artifact straight to storage (MLflow's proxied multipart upload,
/// used with MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD=true): the server hands out one presigned URL per part.
/// </summary>
public interface IMultipartArtifactStore
{
    Task<CreateMultipartResponse> CreateMultipartAsync(long projectId, string path, int parts, CancellationToken cancellationToken);

    /// <summary>Assembles the parts; throws 413 (and removes the object) when the result passes the upload limit.</summary>
    Task CompleteMultipartAsync(long projectId, string path, string uploadId, IReadOnlyList<(int PartNumber, string ETag)> parts, CancellationToken cancellationToken);

    Task AbortMultipartAsync(long projectId, string path, string uploadId, CancellationToken cancellationToken);
}
