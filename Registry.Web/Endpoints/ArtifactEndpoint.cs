using Microsoft.Net.Http.Headers;
using Registry.Web.Api;

namespace Registry.Web.Endpoints;

/// <summary>
/// Artifact downloads through our origin with the session's token. Artifacts are untrusted files: they are never served
/// as HTML (or anything a browser would run) from here. Only raster images are shown inline; everything else is an
/// attachment of type application/octet-stream, with nosniff and a sandboxing CSP as a second lock.
/// </summary>
public static class ArtifactEndpoint
{
    private static readonly Dictionary<string, string> InlineImages = new(StringComparer.OrdinalIgnoreCase)
    {
        [".png"] = "image/png", [".jpg"] = "image/jpeg", [".jpeg"] = "image/jpeg", [".gif"] = "image/gif", [".webp"] = "image/webp",
    };

    public static IEndpointRouteBuilder MapArtifactDownloads(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ui/projects/{projectId:long}/artifacts/{**path}", GetAsync).RequireAuthorization();
        return app;
    }

    public static string Href(long projectId, string storagePath, bool inline = false) =>
        $"/ui/projects/{projectId}/artifacts/{string.Join('/', storagePath.Split('/').Select(Uri.EscapeDataString))}" + (inline ? "?inline=1" : "");

    public static bool IsInlineImage(string path) => InlineImages.ContainsKey(Path.GetExtension(path));

    private static async Task GetAsync(long projectId, string path, string? inline, HttpContext http, RegistryApi api, CancellationToken ct)
    {
        HttpResponseMessage upstream;
        try
        {
            upstream = await api.OpenArtifactAsync(projectId, path, null, ct);
        }
        catch (ApiException e)
        {
            http.Response.StatusCode = (int)e.Status;
            await http.Response.WriteAsJsonAsync(new { error_code = e.ErrorCode, message = e.Message }, ct);
            return;
        }
        using (upstream)
        {
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.ContentSecurityPolicy = "sandbox; default-src 'none'";
            var fileName = Path.GetFileName(path);
            if (inline == "1" && InlineImages.TryGetValue(Path.GetExtension(path), out var imageType))
            {
                http.Response.ContentType = imageType;
            }
            else
            {
                http.Response.ContentType = "application/octet-stream";
                headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileNameStar = fileName }.ToString();
            }
            http.Response.ContentLength = upstream.Content.Headers.ContentLength;
            await using var body = await upstream.Content.ReadAsStreamAsync(ct);
            await body.CopyToAsync(http.Response.Body, ct);
        }
    }
}
