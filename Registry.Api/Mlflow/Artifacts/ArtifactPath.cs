using System.Text;

namespace Registry.Api.Mlflow.Artifacts;

/// <summary>
/// An artifact path a client sent, made safe: relative, '/'-separated, no '.' or '..' segments, no backslashes or
/// control characters, and resolving inside the project's directory (checked again after resolution).
/// </summary>
internal static class ArtifactPath
{
    /// <summary>The longest file name Linux file systems take (NAME_MAX), in UTF-8 bytes; held on every store alike.</summary>
    public const int MaxSegmentBytes = 255;

    public static string Normalize(string? path, bool allowEmpty)
    {
        var text = path ?? "";
        if (text.Length > 4096)
        {
            throw Invalid("The artifact path is longer than 4096 characters.");
        }
        if (text.Contains('\\') || text.Any(char.IsControl))
        {
            throw Invalid($"Invalid artifact path '{Printable(text)}': backslashes and control characters are not allowed.");
        }
        if (text.StartsWith('/') || (text.Length > 1 && text[1] == ':'))
        {
            throw Invalid($"Invalid artifact path '{Printable(text)}': it must be relative.");
        }
        var segments = text.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Any(s => s is "." or ".."))
        {
            throw Invalid($"Invalid artifact path '{Printable(text)}': '.' and '..' segments are not allowed.");
        }
        if (segments.Length == 0 && !allowEmpty)
        {
            throw Invalid("An artifact path is required.");
        }
        return string.Join('/', segments);
    }

    /// <summary>The file system path of <paramref name="relative"/> inside the project's directory.</summary>
    public static string Resolve(string projectRoot, string relative)
    {
        var full = Path.GetFullPath(Path.Combine(projectRoot, relative));
        var root = Path.GetFullPath(projectRoot).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        if (full != root.TrimEnd(Path.DirectorySeparatorChar) && !full.StartsWith(root, StringComparison.Ordinal))
        {
            throw Invalid("Invalid artifact path: it resolves outside the project's artifacts.");
        }
        return full;
    }

    /// <summary>
    /// What a store can write: every name at most <see cref="MaxSegmentBytes"/>. (Reading or listing such a path simply
    /// finds nothing.)
    /// </summary>
    public static void RefuseUnwritableNames(string path)
    {
        if (path.Split('/').FirstOrDefault(s => Encoding.UTF8.GetByteCount(s) > MaxSegmentBytes) is { } tooLong)
        {
            throw Invalid($"Invalid artifact path: the name '{Printable(tooLong)}...' is {Encoding.UTF8.GetByteCount(tooLong)} bytes long; " +
                $"a file or directory name is at most {MaxSegmentBytes} bytes.");
        }
    }

    /// <summary>A file stands where <paramref name="path"/> needs a directory: nothing can be written there.</summary>
    public static MlflowException FileInTheWay(string file, string path) =>
        Invalid($"Cannot write '{Printable(path)}': '{Printable(file)}' is an artifact file, not a directory.");

    public static MlflowException IsDirectory(string path) => Invalid($"'{Printable(path)}' is a directory of artifacts, not a file.");

    /// <summary>What a read answers when there is no artifact (no file) at <paramref name="path"/>.</summary>
    public static MlflowError NotFound(string path) => MlflowError.ResourceDoesNotExist($"No artifact at '{path}'.");

    private static string Printable(string text) => new([.. text.Take(80).Select(c => char.IsControl(c) ? '?' : c)]);

    private static MlflowException Invalid(string message) => new(MlflowError.InvalidParameterValue(message));
}
