using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Artifacts;

namespace Registry.Api.Features.Artifacts;

/// <summary>
/// The mlflow-artifacts proxy: what the client's HttpArtifactRepository talks to for <c>mlflow-artifacts:/</c> URIs.
/// </summary>
internal static class ArtifactsApi
{
    public static RouteGroupBuilder MapArtifactProxy(this RouteGroupBuilder artifacts)
    {
        artifacts.MapPut("artifacts/{**path}", Upload).AddEndpointFilter<DeletedProjectGuard>().ProducesMlflowErrors(StatusCodes.Status413PayloadTooLarge);
        artifacts.MapGet("artifacts/{**path}", Download);
        artifacts.MapGet("artifacts", List);
        artifacts.MapDelete("artifacts/{**path}", Delete);
        artifacts.MapPost("mpu/create/{**path}", CreateMultipart).ProducesMlflowErrors(StatusCodes.Status501NotImplemented);
        artifacts.MapPost("mpu/complete/{**path}", CompleteMultipart).AddEndpointFilter<DeletedProjectGuard>()
            .ProducesMlflowErrors(StatusCodes.Status413PayloadTooLarge, StatusCodes.Status501NotImplemented);
        artifacts.MapPost("mpu/abort/{**path}", AbortMultipart).ProducesMlflowErrors(StatusCodes.Status501NotImplemented);
        return artifacts;
    }

    /// <summary>Streams the body to storage; never buffers it whole. Audited once the bytes are in place (<see cref="ArtifactAudit"/>).</summary>
    private static async Task<Results<Ok<EmptyResponse>, MlflowError>> Upload(
        long projectId, string path, HttpContext http, IArtifactStore store, ArtifactAudit audit, CancellationToken cancellationToken)
    {
        var relative = ArtifactPath.Normalize(path, allowEmpty: false);
        if (http.Request.ContentLength > store.MaxUploadBytes)
        {
            return ArtifactLimits.TooLarge(store.MaxUploadBytes);
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = store.MaxUploadBytes;
        }

        var bytes = await store.WriteAsync(projectId, relative, http.Request.Body, cancellationToken);
        await audit.UploadedAsync(projectId, relative, bytes);
        Telemetry.Tag("registry.artifact_bytes", bytes);
        return TypedResults.Ok(EmptyResponse.Instance);
    }

    /// <summary>The file, whole or a requested range, streamed as an attachment the browser will not sniff.</summary>
    private static async Task<Results<ArtifactDownload, MlflowError>> Download(
        long projectId, string path, HttpRequest http, IArtifactStore store, CancellationToken cancellationToken)
    {
        var relative = ArtifactPath.Normalize(path, allowEmpty: false);
        var range = ArtifactDownload.ParseRange(http.Headers.Range.ToString());
        var content = await store.OpenReadAsync(projectId, relative, range, cancellationToken);
        return content.Error is { } error ? error : new ArtifactDownload(content.Value, relative, ranged: range is not null);
    }

    /// <summary>One level of a directory; names are relative to it, as MLflow's server answers.</summary>
    private static async Task<Results<Ok<ListArtifactsResponse>, MlflowError>> List(
        long projectId, HttpRequest http, IArtifactStore store, CancellationToken cancellationToken)
    {
        var directory = ArtifactPath.Normalize(http.String("path"), allowEmpty: true);
        return TypedResults.Ok(new ListArtifactsResponse(null, await store.ListAsync(projectId, directory, cancellationToken)));
    }

    /// <summary>Deleting what is not there is not an error, as in MLflow (and, as it changes nothing, records nothing).</summary>
    private static async Task<Results<Ok<EmptyResponse>, MlflowError>> Delete(
        long projectId, string path, IArtifactStore store, ArtifactAudit audit, CancellationToken cancellationToken)
    {
        var relative = ArtifactPath.Normalize(path, allowEmpty: false);
        if (await store.DeleteAsync(projectId, relative, cancellationToken) is { } bytes)
        {
            await audit.DeletedAsync(projectId, relative, bytes);
        }
        return TypedResults.Ok(EmptyResponse.Instance);
    }

    private static async Task<Results<Ok<CreateMultipartResponse>, MlflowError>> CreateMultipart(
        long projectId, string path, JsonBody<CreateMultipartRequest> body, IArtifactStore store, CancellationToken cancellationToken)
    {
        if (body.Value.NumParts is not (long parts and >= 1 and <= 10_000))
        {
            return MlflowError.InvalidParameterValue("num_parts must be between 1 and 10000.");
        }
        return TypedResults.Ok(await Multipart(store).CreateMultipartAsync(projectId, MultipartPath.Of(path, body.Value.Path), (int)parts, cancellationToken));
    }

    private static async Task<Results<Ok<EmptyResponse>, MlflowError>> CompleteMultipart(
        long projectId, string path, JsonBody<CompleteMultipartRequest> body, IArtifactStore store, ArtifactAudit audit, CancellationToken cancellationToken)
    {
        var destination = MultipartPath.Of(path, body.Value.Path);
        if (string.IsNullOrEmpty(body.Value.UploadId))
        {
            return MissingUploadId;
        }
        var parts = new List<(int PartNumber, string ETag)>();
        foreach (var part in body.Value.Parts ?? [])
        {
            if (part is not { PartNumber: long number and >= 1 and <= 10_000, Etag: { Length: > 0 } etag })
            {
                return MlflowError.InvalidParameterValue("Each part needs a part_number (1 to 10000) and an etag.");
            }
            parts.Add(((int)number, etag));
        }
        var bytes = await Multipart(store).CompleteMultipartAsync(projectId, destination, body.Value.UploadId, parts, cancellationToken);
        await audit.UploadedAsync(projectId, destination, bytes);
        return TypedResults.Ok(EmptyResponse.Instance);
    }

    private static async Task<Results<Ok<EmptyResponse>, MlflowError>> AbortMultipart(
        long projectId, string path, JsonBody<AbortMultipartRequest> body, IArtifactStore store, CancellationToken cancellationToken)
    {
        var destination = MultipartPath.Of(path, body.Value.Path);
        if (string.IsNullOrEmpty(body.Value.UploadId))
        {
            return MissingUploadId;
        }
        await Multipart(store).AbortMultipartAsync(projectId, destination, body.Value.UploadId, cancellationToken);
        return TypedResults.Ok(EmptyResponse.Instance);
    }

    /// <summary>
    /// As MLflow's server answers for stores that cannot take parts directly. The client falls back to a plain upload only
    /// when the message starts with MLflow's own text (_UnsupportedMultipartUploadException.MESSAGE), so it is MLflow's.
    /// Thrown rather than returned: the error middleware logs 501s as the expected answers they are (<see cref="ExpectedFailureLog"/>).
    /// </summary>
    private static IMultipartArtifactStore Multipart(IArtifactStore store) => store as IMultipartArtifactStore
        ?? throw new MlflowException(new MlflowError("NOT_IMPLEMENTED", "Multipart upload is not supported for the current artifact repository"));

    private static MlflowError MissingUploadId => MlflowError.InvalidParameterValue(MlflowMessages.Missing("upload_id"));
}
