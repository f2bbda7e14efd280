using Registry.Data;

namespace Registry.Api.Mlflow;

/// <summary>MLflow's rule for metric, param and tag names (validation.py): <c>^[/\w.\- ]*$</c>, a normalized relative path, ≤ 250.</summary>
internal static class Keys
{
    /// <param name="parameter">How the request names the key: <c>key</c>, or a path such as <c>params[3].key</c>.</param>
    public static string Validate(string? key, string kind, string parameter = "key")
    {
        if (string.IsNullOrEmpty(key))
        {
            throw Invalid(MlflowMessages.Missing(parameter));
        }
        if (key.Length > Limits.TagKey)
        {
            throw Invalid($"{Capitalized(kind)} key '{key[..40]}...' is {key.Length} characters long, which exceeds the limit of {Limits.TagKey}.");
        }
        if (!IsValid(key))
        {
            throw Invalid($"Invalid {kind} key '{key}'. Keys may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ) and slashes (/), and must be a normalized relative path (no empty, '.' or '..' segments).");
        }
        return key;
    }

    public static string Value(string? value, string kind, string key, int limit)
    {
        if (value is null)
        {
            throw Invalid(MlflowMessages.Missing("value"));
        }
        if (value.Length > limit)
        {
            throw Invalid($"Value of {kind} '{key}' is {value.Length} characters long, which exceeds the limit of {limit}.");
        }
        return Text.Storable(value, $"value of {kind} '{key}'");
    }

    private static bool IsValid(string key)
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
        return key.Split('/').All(segment => segment is not ("" or "." or ".."));
    }

    private static string Capitalized(string kind) => char.ToUpperInvariant(kind[0]) + kind[1..];

    private static MlflowException Invalid(string message) => new(MlflowError.InvalidParameterValue(message));
}
