using System.Globalization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;
using Registry.Api.Mlflow;
using Registry.Api.Mlflow.Artifacts;

namespace Registry.Api.Features.Artifacts;

/// <summary>
/// Streams an artifact the store opened to the client, whole or the one byte range requested (206), as an attachment the
/// browser will not sniff. The same for every store, so Range works whether the bytes come from disk or from S3.
/// </summary>
/// <param name="content">Disposed once sent.</param>
internal sealed class ArtifactDownload(ArtifactContent content, string path, bool ranged) : IResult, IEndpointMetadataProvider
{
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static void PopulateMetadata(System.Reflection.MethodInfo method, EndpointBuilder builder)
    {
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(Stream), ["application/octet-stream"]));
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status206PartialContent, typeof(Stream), ["application/octet-stream"]));
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status416RangeNotSatisfiable, typeof(MlflowErrorBody), ["application/json"]));
    }

    public async Task ExecuteAsync(HttpContext http)
    {
        await using (content)
        {
            var response = http.Response;
            response.StatusCode = ranged ? StatusCodes.Status206PartialContent : StatusCodes.Status200OK;
            response.ContentType = ContentTypes.TryGetContentType(path, out var guessed) ? guessed : "application/octet-stream";
            response.ContentLength = content.Length;
            response.Headers.AcceptRanges = "bytes";
            response.Headers.XContentTypeOptions = "nosniff";
            response.Headers.ContentDisposition = Attachment(Path.GetFileName(path));
            if (ranged)
            {
                response.Headers.ContentRange = new ContentRangeHeaderValue(content.Offset, content.Offset + content.Length - 1, content.TotalLength).ToString();
            }
            await CopyExactlyAsync(content.Stream, response.Body, content.Length, http.RequestAborted);
        }
    }

    /// <summary>
    /// <c>attachment; filename="c.png"; filename*=UTF-8''c.png</c>: the plain name for clients that read only that one (made
    /// ASCII-safe: anything else becomes '_'), the exact name in RFC 5987 form for those that understand it.
    /// </summary>
    internal static string Attachment(string fileName)
    {
        var plain = new string([.. fileName.Select(c => c is >= ' ' and <= '~' and not '"' and not '\\' ? c : '_')]);
        return $"attachment; filename=\"{plain}\"; filename*=UTF-8''{Uri.EscapeDataString(fileName)}";
    }

    /// <summary>Copies the range's bytes and no more: a file stream goes on to the end of the file.</summary>
    private static async Task CopyExactlyAsync(Stream from, Stream to, long length, CancellationToken cancellationToken)
    {
        var buffer = new byte[(int)Math.Min(81_920, Math.Max(1, length))];
        for (var remaining = length; remaining > 0;)
        {
            var read = await from.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken);
            if (read == 0)
            {
                throw new IOException("The artifact ended before its stated length.");
            }
            await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            remaining -= read;
        }
    }

    /// <summary>A single <c>bytes=</c> range; anything else (several ranges, other units) is served whole, as HTTP allows.</summary>
    internal static RequestedRange? ParseRange(string header)
    {
        if (!header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) || header.Contains(','))
        {
            return null;
        }
        var parts = header[6..].Split('-', 2);
        if (parts.Length != 2)
        {
            return null;
        }
        var from = long.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var f) ? f : (long?)null;
        var to = long.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : (long?)null;
        return from is null && to is null ? null : new RequestedRange(from, to);
    }
}
