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
        artifacts.MapPut("artifacts/{**path}", Upload).AddEndpointFilter<DeletedProjectGuard>();
        artifacts.MapGet("artifacts/{**path}", Download);
        artifacts.MapGet("artifacts", List);
        artifacts.MapDelete("artifacts/{**path}", Delete);
        artifacts.MapPost("mpu/create/{**path}", CreateMultipart);
        artifacts.MapPost("mpu/complete/{**path}", CompleteMultipart).AddEndpointFilter<DeletedProjectGuard>();
        artifacts.MapPost("mpu/abort/{**path}", AbortMultipart);
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

    /// <summary>Streams the file, whole or a requested range, as an attachment the browser will not sniff.</summary>
    private static ArtifactDownload Download(long projectId, string path, IArtifactStore store)
    {
        return new ArtifactDownload(store, projectId, ArtifactPath.Normalize(path, allowEmpty: false));
    }

    /// <summary>One level of a directory; names are relative to it, as MLflow's server answers.</summary>
    private static async Task<Ok<ListArtifactsResponse>> List(long projectId, HttpRequest http, IArtifactStore store, CancellationToken cancellationToken)
    {
        var directory = ArtifactPath.Normalize(http.String("path"), allowEmpty: true);
        return TypedResults.Ok(new ListArtifactsResponse(null, await store.ListAsync(projectId, directory, cancellationToken)));
    }

    /// <summary>Deleting what is not there is not an error, as in MLflow (and, as it changes nothing, records nothing).</summary>
    private static async Task<Ok<EmptyResponse>> Delete(
        long projectId, string path, IArtifactStore store, ArtifactAudit audit, CancellationToken cancellationToken)
    {
        var relative = ArtifactPath.Normalize(path, allowEmpty: false);
        if (await store.DeleteAsync(projectId, relative, cancellationToken) is { } bytes)
        {
            await audit.DeletedAsync(projectId, relative, bytes);
        }
        return TypedResults.Ok(EmptyResponse.Instance);
    }

    private static async Task<Ok<CreateMultipartResponse>> CreateMultipart(
        long projectId, string path, JsonBody<CreateMultipartRequest> body, IArtifactStore store, CancellationToken cancellationToken)
    {
        var parts = body.Value.NumParts is >= 1 and <= 10_000 ? (int)body.Value.NumParts.Value
            : throw new MlflowException(MlflowError.InvalidParameterValue("num_parts must be between 1 and 10000."));
        return TypedResults.Ok(await Multipart(store).CreateMultipartAsync(projectId, MultipartPath.Of(path, body.Value.Path), parts, cancellationToken));
    }

    private static async Task<Ok<EmptyResponse>> CompleteMultipart(
        long projectId, string path, JsonBody<CompleteMultipartRequest> body, IArtifactStore store, ArtifactAudit audit, CancellationToken cancellationToken)
    {
        var destination = MultipartPath.Of(path, body.Value.Path);
        var uploadId = Required(body.Value.UploadId, "upload_id");
        var parts = (body.Value.Parts ?? []).Select(p => p is { PartNumber: >= 1 and <= 10_000, Etag.Length: > 0 }
            ? ((int)p.PartNumber.Value, p.Etag)
            : throw new MlflowException(MlflowError.InvalidParameterValue("Each part needs a part_number (1 to 10000) and an etag."))).ToList();
        var bytes = await Multipart(store).CompleteMultipartAsync(projectId, destination, uploadId, parts, cancellationToken);
        await audit.UploadedAsync(projectId, destination, bytes);
        return TypedResults.Ok(EmptyResponse.Instance);
    }

    private static async Task<Ok<EmptyResponse>> AbortMultipart(
        long projectId, string path, JsonBody<AbortMultipartRequest> body, IArtifactStore store, CancellationToken cancellationToken)
    {
        var destination = MultipartPath.Of(path, body.Value.Path);
        await Multipart(store).AbortMultipartAsync(projectId, destination, Required(body.Value.UploadId, "upload_id"), cancellationToken);
        return TypedResults.Ok(EmptyResponse.Instance);
    }

    /// <summary>
    /// As MLflow's server answers for stores that cannot take parts directly. The client falls back to a plain upload only
    /// when the message starts with MLflow's own text (_UnsupportedMultipartUploadException.MESSAGE), so it is MLflow's.
    /// </summary>
    private static IMultipartArtifactStore Multipart(IArtifactStore store) => store as IMultipartArtifactStore
        ?? throw new MlflowException(new MlflowError("NOT_IMPLEMENTED", "Multipart upload is not supported for the current artifact repository"));

    private static string Required(string? value, string field) =>
        string.IsNullOrEmpty(value) ? throw new MlflowException(MlflowError.InvalidParameterValue(MlflowMessages.Missing(field))) : value;
}
