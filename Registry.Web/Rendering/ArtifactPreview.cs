using System.Text;
using Registry.Web.Api;

namespace Registry.Web.Rendering;

/// <summary>What a page shows of one artifact: text (escaped by Razor), a CSV head, an image through our download endpoint, or nothing.</summary>
public sealed record ArtifactPreview(string Path, ArtifactPreview.Kinds Kind, string? Text, IReadOnlyList<string[]> Rows, bool Truncated)
{
    public enum Kinds { Text, Csv, Image, Binary }

    public const int MaxBytes = 64 * 1024;
    public const int CsvRows = 20;

    private static readonly HashSet<string> TextExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".txt", ".json", ".yaml", ".yml", ".md", ".py", ".log", ".toml", ".cfg", ".ini", ".xml", ".html", ".htm", ".svg", ".js", ".csv", ".tsv", "",
    };

    /// <summary>Artifact locations are <c>mlflow-artifacts:/a/b</c>; the project's storage paths drop the scheme.</summary>
    public static string StoragePath(string artifactUri) => artifactUri.StartsWith("mlflow-artifacts:", StringComparison.Ordinal)
        ? artifactUri["mlflow-artifacts:".Length..].TrimStart('/')
        : artifactUri.TrimStart('/');

    public static async Task<ArtifactPreview> LoadAsync(RegistryApi api, long projectId, string storagePath, CancellationToken ct)
    {
        var extension = System.IO.Path.GetExtension(storagePath);
        if (Endpoints.ArtifactEndpoint.IsInlineImage(storagePath))
        {
            return new(storagePath, Kinds.Image, null, [], false);
        }
        if (!TextExtensions.Contains(extension) && System.IO.Path.GetFileName(storagePath) != "MLmodel")
        {
            return new(storagePath, Kinds.Binary, null, [], false);
        }

        using var response = await api.OpenArtifactAsync(projectId, storagePath, MaxBytes, ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        var truncated = bytes.Length >= MaxBytes;
        if (bytes.AsSpan(0, Math.Min(bytes.Length, 8000)).Contains((byte)0))
        {
            return new(storagePath, Kinds.Binary, null, [], false);
        }
        var text = Encoding.UTF8.GetString(bytes.AsSpan(0, Math.Min(bytes.Length, MaxBytes)));
        if (extension is ".csv" or ".tsv")
        {
            var separator = extension == ".tsv" ? '\t' : ',';
            var rows = text.Split('\n').Take(CsvRows).Where(l => l.Length > 0).Select(l => l.TrimEnd('\r').Split(separator)).ToList();
            return new(storagePath, Kinds.Csv, null, rows, truncated);
        }
        return new(storagePath, Kinds.Text, text, [], truncated);
    }
}
