using Registry.Api.Mlflow;
using Registry.Data;

namespace Registry.Api.Features.RegisteredModels;

/// <summary>MLflow's rules for registered model names, descriptions and tags (mlflow/utils/validation.py).</summary>
internal static class RegisteredModelValidation
{
    public static string Name(string? name, string field = "name")
    {
        if (string.IsNullOrEmpty(name))
        {
            throw Invalid($"Missing value for required parameter '{field}': registered model name cannot be empty.");
        }
        if (name.Length > Limits.ModelName)
        {
            throw Invalid($"Parameter '{field}' is {name.Length} characters long; a registered model name is at most {Limits.ModelName}.");
        }
        return Text.Storable(name, field);
    }

    public static string? Description(string? description)
    {
        if (description is { Length: > Limits.Description })
        {
            throw Invalid($"Parameter 'description' is {description.Length} characters long; at most {Limits.Description} are allowed.");
        }
        return description is null ? null : Text.Storable(description, "description");
    }

    /// <summary>Validates tags; when a key repeats, the last value wins (as a dict built from the list would).</summary>
    public static IReadOnlyList<RegisteredModelTag> Tags(List<TagInput?>? tags)
    {
        if (tags is null || tags.Count == 0)
        {
            return [];
        }

        var byKey = new Dictionary<string, RegisteredModelTag>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            if (tag is null)
            {
                throw Invalid("Parameter 'tags' contains a null entry; each tag is {\"key\": ..., \"value\": ...}.");
            }
            var key = TagKey(tag.Key);
            byKey[key] = new RegisteredModelTag(key, TagValue(tag.Value, key));
        }
        return [.. byKey.Values];
    }

    public static string TagKey(string? key)
    {
        if (key is null)
        {
            throw Invalid("Missing value for required parameter 'key' of a tag.");
        }
        if (key.Length > Limits.TagKey)
        {
            throw Invalid($"Tag key '{Shorten(key)}' is {key.Length} characters long, which exceeds the limit of {Limits.TagKey}.");
        }
        if (!IsValidKey(key))
        {
            throw Invalid($"Invalid tag key '{key}'. Keys may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ) and slashes (/), and must be a normalized relative path (no empty, '.' or '..' segments).");
        }
        return key;
    }

    public static string TagValue(string? value, string key)
    {
        if (value is null)
        {
            throw Invalid($"Missing value for required parameter 'value' of tag '{key}'.");
        }
        if (value.Length > Limits.TagValue)
        {
            throw Invalid($"Value of tag '{key}' is {value.Length} characters long, which exceeds the limit of {Limits.TagValue}.");
        }
        return Text.Storable(value, $"value of tag '{key}'");
    }

    /// <summary>MLflow: <c>^[/\w.\- ]*$</c>, and the key must equal its own posixpath.normpath.</summary>
    private static bool IsValidKey(string key)
    {
        if (key.Length == 0 || key[0] == '/' || key[^1] == '/')
        {
            return false;
        }
        foreach (var c in key)
        {
            if (!(char.IsLetterOrDigit(c) || c is '_' or '-' or '.' or ' ' or '/'))
            {
                return false;
            }
        }
        foreach (var segment in key.Split('/'))
        {
            if (segment is "" or "." or "..")
            {
                return false;
            }
        }
        return true;
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "...";

    private static MlflowException Invalid(string message) => new(MlflowError.InvalidParameterValue(message));
}
