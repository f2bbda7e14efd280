using Registry.Data;

namespace Registry.Api.Mlflow;

/// <summary>MLflow's rules for registered model names, descriptions and tags (mlflow/utils/validation.py).</summary>
internal static class RegisteredModelValidation
{
    public static string Name(string? name, string field = "name")
    {
        if (string.IsNullOrEmpty(name))
        {
            throw Invalid(MlflowMessages.Missing(field));
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
        if (tags.Count > Limits.TagsPerRequest)
        {
            throw Invalid($"A request can set at most {Limits.TagsPerRequest} tags; got {tags.Count}.");
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

    public static string TagKey(string? key) => Keys.Validate(key, "tag");

    public static string TagValue(string? value, string key) => Keys.Value(value, "tag", key, Limits.TagValue);


    private static MlflowException Invalid(string message) => new(MlflowError.InvalidParameterValue(message));
}
