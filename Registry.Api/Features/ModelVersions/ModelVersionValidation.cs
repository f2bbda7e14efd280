using System.Globalization;
using System.Text.RegularExpressions;
using Registry.Api.Mlflow;
using Registry.Data;

namespace Registry.Api.Features.ModelVersions;

/// <summary>MLflow's rules for versions, sources, stages and aliases (mlflow/utils/validation.py, model_version_stages.py).</summary>
internal static partial class ModelVersionValidation
{
    public static readonly string[] Stages = ["None", "Staging", "Production", "Archived"];

    /// <summary>A version is a string on the wire that must hold a positive integer.</summary>
    public static int Version(string? version)
    {
        if (string.IsNullOrEmpty(version))
        {
            throw Invalid("Missing value for required parameter 'version'.");
        }
        if (!int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
        {
            throw Invalid($"Parameter 'version' must be a positive integer, got '{Shorten(version)}'.");
        }
        return number;
    }

    public static string Source(string? source)
    {
        if (string.IsNullOrEmpty(source))
        {
            throw Invalid("Missing value for required parameter 'source'.");
        }
        return Text.Storable(Bounded(source, "source", Limits.Source), "source");
    }

    public static string? Optional(string? value, string field, int limit) =>
        string.IsNullOrEmpty(value) ? null : Text.Storable(Bounded(value, field, limit), field);

    /// <summary>Stages are case-insensitive in requests and canonical (None, Staging, Production, Archived) out.</summary>
    public static string Stage(string? stage)
    {
        var canonical = Stages.FirstOrDefault(s => s.Equals(stage, StringComparison.OrdinalIgnoreCase));
        return canonical ?? throw Invalid($"Invalid model version stage '{Shorten(stage ?? "")}'; valid stages are {string.Join(", ", Stages)}.");
    }

    public static string Alias(string? alias)
    {
        if (string.IsNullOrEmpty(alias))
        {
            throw Invalid("Missing value for required parameter 'alias': an alias name cannot be empty.");
        }
        if (alias.Length > Limits.Alias)
        {
            throw Invalid($"Alias '{Shorten(alias)}' is {alias.Length} characters long; at most {Limits.Alias} are allowed.");
        }
        if (!AliasPattern().IsMatch(alias))
        {
            throw Invalid($"Invalid alias name '{Shorten(alias)}'. Names may only contain alphanumerics, underscores (_) and dashes (-).");
        }
        if (alias.Equals("latest", StringComparison.OrdinalIgnoreCase))
        {
            throw Invalid("'latest' alias name (case insensitive) is reserved.");
        }
        if (VersionAliasPattern().IsMatch(alias))
        {
            throw Invalid($"Version alias name '{alias}' is reserved: v<number> always means that version.");
        }
        return alias;
    }

    private static string Bounded(string value, string field, int limit) => value.Length <= limit
        ? value
        : throw Invalid($"Parameter '{field}' is {value.Length} characters long; at most {limit} are allowed.");

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "...";

    private static MlflowException Invalid(string message) => new(MlflowError.InvalidParameterValue(message));

    [GeneratedRegex(@"^[\w\-]+$")]
    private static partial Regex AliasPattern();

    [GeneratedRegex(@"^[vV]\d+$")]
    private static partial Regex VersionAliasPattern();
}
