using System.Net;
using System.Text;
using Microsoft.Extensions.Options;
using Registry.Api.Mlflow;

namespace Registry.Api.Features.ModelVersions;

/// <summary>
/// What a model version's source may be. MLflow's server refuses local paths and relative-path tricks
/// (<c>_validate_source_run</c>, <c>_validate_non_local_source_contains_relative_paths</c> in handlers.py); we refuse the
/// same, with its messages. We also refuse sources that name a host for <c>http(s)</c> or <c>mlflow-artifacts</c>: the
/// MLflow client sends its tracking token to that host when it loads the version, so such a source would hand the
/// loader's token (an administrator's, a CI job's) to whoever registered it.
/// </summary>
internal sealed class ModelSources(IOptions<ModelSourceOptions> options)
{
    /// <summary>The schemes the MLflow client reads with the tracking server's credentials.</summary>
    private static readonly string[] CredentialedSchemes = ["http", "https", "mlflow-artifacts"];

    /// <summary>Nested percent-encodings deeper than this are not a source anyone means.</summary>
    private const int MaxDecodings = 8;

    /// <param name="fromLoggedModel">The request names a logged model (MLflow 3's model_id), which words the refusal its way.</param>
    public string Validate(string source, bool isPrompt, bool fromLoggedModel)
    {
        if (source.Any(c => char.IsControl(c)))
        {
            throw Invalid($"Invalid model version source: '{Printable(source)}'. A source cannot contain control characters.");
        }
        var uri = SourceUri.Parse(source);
        if (isPrompt)
        {
            if (uri.Scheme == "file" || (uri.Scheme.Length == 0 && source.StartsWith('/')))
            {
                throw Invalid($"Invalid prompt source: '{source}'. Local source paths are not allowed for prompts.");
            }
            if (uri.Scheme.Length > 0)
            {
                RefuseRelativePaths(source);
            }
        }
        else
        {
            // Schemeless (a path), file:, and single letters (Windows drives: "C:/...") are local to the client.
            if (uri.Scheme.Length <= 1 || uri.Scheme == "file")
            {
                throw Invalid(MlflowMessages.LocalSource(source, fromLoggedModel ? "model_id" : "run_id"));
            }
            RefuseRelativePaths(source);
        }
        if (ForeignHost(source) is { } host)
        {
            throw Invalid(
                $"Invalid model version source: '{source}'. It names the host '{host}', and the MLflow client sends the " +
                "loading user's credentials to that host. Register a runs:/, models:/ or mlflow-artifacts:/<path> source, " +
                "or an object-store URI; an operator can trust a host with Registry:ModelSources:AllowedHosts.");
        }
        return source;
    }

    /// <summary>MLflow 3's prompt registry marks prompt versions with this tag; their sources are placeholders.</summary>
    public static bool IsPrompt(IEnumerable<RegisteredModelTag> tags) => tags.Any(t => t.Key == ReservedKeys.IsPrompt);

    /// <returns>The host an http(s) or mlflow-artifacts URI would send credentials to, unless it is allowed; else null.</returns>
    public string? ForeignHost(string uri)
    {
        // Both as written and fully decoded, so an encoded authority cannot slip past whichever form a client reads.
        foreach (var form in new[] { uri, FullyDecoded(uri) })
        {
            var parsed = SourceUri.Parse(form);
            if (parsed.Authority is { Length: > 0 } authority && CredentialedSchemes.Contains(parsed.Scheme) && !IsAllowed(authority))
            {
                return authority;
            }
        }
        return null;
    }

    private bool IsAllowed(string authority)
    {
        var hostAndPort = authority[(authority.LastIndexOf('@') + 1)..];
        var host = hostAndPort.StartsWith('[') ? hostAndPort[..(hostAndPort.IndexOf(']') + 1)]
            : hostAndPort.Split(':')[0];
        return options.Value.AllowedHosts.Any(allowed =>
            allowed.Equals(hostAndPort, StringComparison.OrdinalIgnoreCase) || allowed.Equals(host, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// MLflow's check: decode until stable; refuse NUL, any <c>..</c> segment (query string included), and a path that
    /// is not already absolute and normal (empty, relative, or with <c>.</c> segments once slashes are collapsed).
    /// </summary>
    private static void RefuseRelativePaths(string source)
    {
        var decoded = FullyDecoded(source);
        var path = SourceUri.Parse(decoded).Path;
        while (path.Contains("//", StringComparison.Ordinal))
        {
            path = path.Replace("//", "/", StringComparison.Ordinal);
        }
        path = path.TrimEnd('/');
        var normal = path.StartsWith('/') && path.Split('/').Skip(1).All(segment => segment is not ("." or ".."));
        if (decoded.Contains('\0') || decoded.Split('/').Contains("..") || !normal)
        {
            throw Invalid(MlflowMessages.RelativeSource(source));
        }
    }

    /// <summary>Python's <c>unquote_plus</c> applied until nothing changes, as MLflow does.</summary>
    private static string FullyDecoded(string source)
    {
        var current = source;
        for (var i = 0; i < MaxDecodings; i++)
        {
            var next = WebUtility.UrlDecode(current);
            if (next == current)
            {
                return current;
            }
            current = next;
        }
        throw Invalid(MlflowMessages.RelativeSource(source));
    }

    private static string Printable(string text)
    {
        var printable = new StringBuilder();
        foreach (var c in text.Take(200))
        {
            printable.Append(char.IsControl(c) ? '?' : c);
        }
        return printable.ToString();
    }

    private static MlflowException Invalid(string message) => new(MlflowError.InvalidParameterValue(message));
}

/// <summary>A URI split the way Python's <c>urllib.parse.urlsplit</c> splits it (what MLflow and its client use).</summary>
internal readonly record struct SourceUri(string Scheme, string? Authority, string Path)
{
    public static SourceUri Parse(string text)
    {
        var rest = text.TrimStart(' ');
        var scheme = "";
        var colon = rest.IndexOf(':');
        if (colon > 0 && char.IsAsciiLetter(rest[0]) && rest[..colon].All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.'))
        {
            scheme = rest[..colon].ToLowerInvariant();
            rest = rest[(colon + 1)..];
        }
        string? authority = null;
        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            var end = rest.IndexOfAny(['/', '?', '#'], 2);
            authority = end < 0 ? rest[2..] : rest[2..end];
            rest = end < 0 ? "" : rest[end..];
        }
        var pathEnd = rest.IndexOfAny(['?', '#']);
        return new SourceUri(scheme, authority, pathEnd < 0 ? rest : rest[..pathEnd]);
    }
}
