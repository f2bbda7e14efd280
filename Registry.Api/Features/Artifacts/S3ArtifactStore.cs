using System.Buffers;
using System.Net;
using Amazon.Runtime;
using Amazon.S3.Util;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Artifacts;

namespace Registry.Api.Features.Artifacts;

/// <summary>
/// Artifacts in S3-compatible object storage, under <c>&lt;prefix&gt;/projects/&lt;id&gt;/</c>. Uploads go up in
/// 8 MiB parts (so memory stays bounded whatever the size) and the object appears only when the upload completes;
/// a failure aborts it, leaving nothing.
/// </summary>
internal sealed class S3ArtifactStore : IArtifactStore, IMultipartArtifactStore, IDisposable
{
    private const int PartSize = 8 * 1024 * 1024;

    private readonly AmazonS3Client _s3;
    private readonly ArtifactOptions _options;

    public S3ArtifactStore(IOptions<ArtifactOptions> options)
    {
        _options = options.Value;
        var s3 = _options.S3;
        var config = new AmazonS3Config { AuthenticationRegion = s3.Region };
        if (s3.ServiceUrl.Length > 0)
        {
            config.ServiceURL = s3.ServiceUrl;
            config.ForcePathStyle = true;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(s3.Region);
        }
        _s3 = s3.AccessKey.Length > 0 ? new AmazonS3Client(new BasicAWSCredentials(s3.AccessKey, s3.SecretKey), config) : new AmazonS3Client(config);
    }

    public long MaxUploadBytes => _options.MaxUploadBytes;

    private string Bucket => _options.S3.Bucket;

    private string Key(long projectId, string path)
    {
        var prefix = _options.S3.Prefix.Trim('/');
        var project = $"projects/{WireIds.Text(projectId)}";
        return string.Join('/', new[] { prefix, project, path }.Where(part => part.Length > 0));
    }

    public async Task<long> WriteAsync(long projectId, string path, Stream body, CancellationToken cancellationToken)
    {
        var key = Key(projectId, path);
        ArtifactPath.RefuseUnwritableNames(path);
        await RefuseWhatAFileSystemWouldAsync(projectId, path, cancellationToken);
        var limited = new LimitedStream(body, MaxUploadBytes);
        var buffer = ArrayPool<byte>.Shared.Rent(PartSize);
        try
        {
            var filled = await FillAsync(limited, buffer, cancellationToken);
            if (filled < PartSize)
            {
                await _s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, InputStream = new MemoryStream(buffer, 0, filled) }, cancellationToken);
                return filled;
            }
            return await UploadInPartsAsync(key, limited, buffer, filled, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<long> UploadInPartsAsync(string key, LimitedStream body, byte[] buffer, int filled, CancellationToken cancellationToken)
    {
        var upload = await _s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = Bucket, Key = key }, cancellationToken);
        try
        {
            var parts = new List<PartETag>();
            while (filled > 0)
            {
                var part = await _s3.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = Bucket, Key = key, UploadId = upload.UploadId, PartNumber = parts.Count + 1,
                    InputStream = new MemoryStream(buffer, 0, filled), PartSize = filled,
                }, cancellationToken);
                parts.Add(new PartETag(parts.Count + 1, part.ETag));
                filled = await FillAsync(body, buffer, cancellationToken);
            }
            await _s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = Bucket, Key = key, UploadId = upload.UploadId, PartETags = parts }, cancellationToken);
            return body.BytesRead;
        }
        catch
        {
            await _s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = Bucket, Key = key, UploadId = upload.UploadId }, CancellationToken.None);
            throw;
        }
    }

    public async Task<Outcome<ArtifactContent>> OpenReadAsync(long projectId, string path, RequestedRange? range, CancellationToken cancellationToken)
    {
        var key = Key(projectId, path);
        try
        {
            var request = new GetObjectRequest { BucketName = Bucket, Key = key };
            if (range is null)
            {
                var whole = await _s3.GetObjectAsync(request, cancellationToken);
                return new ArtifactContent(whole.ResponseStream, 0, whole.ContentLength, whole.ContentLength);
            }
            var total = (await _s3.GetObjectMetadataAsync(Bucket, key, cancellationToken)).ContentLength;
            var slice = ArtifactLimits.Resolve(range, total);
            if (slice.Error is { } unsatisfiable)
            {
                return unsatisfiable;
            }
            var (offset, length) = slice.Value;
            request.ByteRange = new ByteRange(offset, offset + length - 1);
            var part = await _s3.GetObjectAsync(request, cancellationToken);
            return new ArtifactContent(part.ResponseStream, offset, length, total);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return ArtifactPath.NotFound(path);
        }
    }

    public async Task<IReadOnlyList<ArtifactFile>> ListAsync(long projectId, string directory, CancellationToken cancellationToken)
    {
        var prefix = Key(projectId, directory) + "/";
        var files = new List<ArtifactFile>();
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = prefix, Delimiter = "/" };
        ListObjectsV2Response page;
        do
        {
            page = await _s3.ListObjectsV2Async(request, cancellationToken);
            files.AddRange((page.CommonPrefixes ?? []).Select(p => new ArtifactFile(p[prefix.Length..].TrimEnd('/'), true, null)));
            files.AddRange((page.S3Objects ?? []).Select(o => new ArtifactFile(o.Key[prefix.Length..], false, o.Size)));
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);
        return [.. files.OrderBy(f => f.Path, StringComparer.Ordinal)];
    }

    public async Task<long?> DeleteAsync(long projectId, string path, CancellationToken cancellationToken)
    {
        var key = Key(projectId, path);
        long? bytes = null;
        try
        {
            bytes = (await _s3.GetObjectMetadataAsync(Bucket, key, cancellationToken)).ContentLength;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            // Not a file; perhaps a directory.
        }
        await _s3.DeleteObjectAsync(Bucket, key, cancellationToken);
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = key + "/" };
        ListObjectsV2Response page;
        do
        {
            page = await _s3.ListObjectsV2Async(request, cancellationToken);
            if (page.S3Objects is { Count: > 0 } objects)
            {
                await _s3.DeleteObjectsAsync(new DeleteObjectsRequest
                {
                    BucketName = Bucket,
                    Objects = [.. objects.Select(o => new KeyVersion { Key = o.Key })],
                }, cancellationToken);
                bytes = (bytes ?? 0) + objects.Sum(o => o.Size ?? 0);
            }
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);
        return bytes;
    }

    /// <summary>Every object under the project's prefix, a page of up to 1000 at a time.</summary>
    public Task DeleteProjectAsync(long projectId, CancellationToken cancellationToken) => DeleteAsync(projectId, "", cancellationToken);

    public async Task<CreateMultipartResponse> CreateMultipartAsync(long projectId, string path, int parts, CancellationToken cancellationToken)
    {
        var key = Key(projectId, path);
        var upload = await _s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = Bucket, Key = key }, cancellationToken);
        var protocol = _options.S3.ServiceUrl.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? Protocol.HTTP : Protocol.HTTPS;
        var credentials = new List<MultipartCredential>();
        for (var part = 1; part <= parts; part++)
        {
            var url = await _s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest
            {
                BucketName = Bucket, Key = key, Verb = HttpVerb.PUT, UploadId = upload.UploadId, PartNumber = part,
                Expires = DateTime.UtcNow.AddHours(1), Protocol = protocol,
            });
            credentials.Add(new MultipartCredential(url, part, []));
        }
        return new CreateMultipartResponse(upload.UploadId, credentials);
    }

    public async Task<long> CompleteMultipartAsync(
        long projectId, string path, string uploadId, IReadOnlyList<(int PartNumber, string ETag)> parts, CancellationToken cancellationToken)
    {
        var key = Key(projectId, path);
        await _s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = Bucket, Key = key, UploadId = uploadId,
            PartETags = [.. parts.OrderBy(p => p.PartNumber).Select(p => new PartETag(p.PartNumber, p.ETag))],
        }, cancellationToken);
        // The parts went straight to storage, so the limit can only be checked on the assembled object.
        var bytes = (await _s3.GetObjectMetadataAsync(Bucket, key, cancellationToken)).ContentLength;
        if (bytes > MaxUploadBytes)
        {
            await _s3.DeleteObjectAsync(Bucket, key, CancellationToken.None);
            throw new MlflowException(ArtifactLimits.TooLarge(MaxUploadBytes));
        }
        return bytes;
    }

    public Task AbortMultipartAsync(long projectId, string path, string uploadId, CancellationToken cancellationToken) =>
        _s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = Bucket, Key = Key(projectId, path), UploadId = uploadId }, cancellationToken);

    public void Dispose() => _s3.Dispose();

    /// <summary>
    /// Keys are not a file system, but artifacts are one for MLflow's clients (and for the file store): no object where
    /// the path needs a directory, and none over a directory of objects.
    /// </summary>
    private async Task RefuseWhatAFileSystemWouldAsync(long projectId, string path, CancellationToken cancellationToken)
    {
        var segments = path.Split('/');
        var ancestors = await Task.WhenAll(Enumerable.Range(1, segments.Length - 1).Select(async i =>
        {
            var ancestor = string.Join('/', segments[..i]);
            try
            {
                await _s3.GetObjectMetadataAsync(Bucket, Key(projectId, ancestor), cancellationToken);
                return ancestor;
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
        }));
        if (ancestors.FirstOrDefault(a => a is not null) is { } file)
        {
            throw ArtifactPath.FileInTheWay(file, path);
        }
        var children = await _s3.ListObjectsV2Async(
            new ListObjectsV2Request { BucketName = Bucket, Prefix = Key(projectId, path) + "/", MaxKeys = 1 }, cancellationToken);
        if (children.S3Objects is { Count: > 0 })
        {
            throw ArtifactPath.IsDirectory(path);
        }
    }

    private static async Task<int> FillAsync(Stream body, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        int read;
        while (filled < PartSize && (read = await body.ReadAsync(buffer.AsMemory(filled, PartSize - filled), cancellationToken)) > 0)
        {
            filled += read;
        }
        return filled;
    }
}
