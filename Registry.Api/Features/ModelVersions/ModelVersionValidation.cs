using System.Globalization;
using System.Text.RegularExpressions;
using Registry.Api.Mlflow;
using Registry.Data;

namespace Registry.Api.Features.ModelVersions;

/// <summary>MLflow's rules for versions, sources, stages and aliases (mlflow/utils/validation.py, model_version_stages.py).</summary>
internal static partial class ModelVersionValidation
{
    public static readonly string[] Stages = ["None", "Staging", "Production", "Archived"];

    /// <summary>
    /// A version is a string on the wire that must hold an integer, as MLflow parses it. An integer that no version can
    /// have (0, -1) is simply not found, as in MLflow.
    /// </summary>
    public static int Version(string? version)
    {
        if (string.IsNullOrEmpty(version))
        {
            throw Invalid(MlflowMessages.Missing("version"));
        }
        if (!long.TryParse(version, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
        {
            throw Invalid(MlflowMessages.VersionNotInteger(Shorten(version)));
        }
        return number is >= int.MinValue and <= int.MaxValue
            ? (int)number
            : throw Invalid($"Model version {number} is out of range: versions are numbered from 1 to {int.MaxValue}.");
    }

    public static string Source(string? source)
    {
        if (string.IsNullOrEmpty(source))
        {
            throw Invalid(MlflowMessages.Missing("source"));
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
            throw Invalid(MlflowMessages.Missing("alias"));
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
