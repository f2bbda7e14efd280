using Registry.Api.Mlflow;
using Registry.Data.Entities;

namespace Registry.Api.Features.Admin;

/// <summary>What the admin API and the CLI accept: names, scopes, access levels (expiry dates: <see cref="TokenLifetime"/>).</summary>
internal static class AdminValidation
{
    public static string[] Scopes(IEnumerable<string>? scopes)
    {
        string[] valid = [.. (scopes ?? []).Distinct()];
        return valid.Length > 0 && valid.All(s => s is TokenScopes.Api or TokenScopes.ReadApi)
            ? valid
            : throw Invalid("scopes must be a non-empty list of 'api' and 'read_api'.");
    }

    public static AccessLevel Level(int? accessLevel) => accessLevel is { } value && Enum.IsDefined((AccessLevel)value)
        ? (AccessLevel)value
        : throw Invalid("access_level must be one of 10 (guest), 20 (reporter), 30 (developer), 40 (maintainer), 50 (owner).");

    public static string Name(string? value, string field, int limit) =>
        string.IsNullOrWhiteSpace(value) ? throw Invalid($"Missing value for required parameter '{field}'.")
        : value.Length > limit ? throw Invalid($"'{field}' is at most {limit} characters.")
        : Text.Storable(value, field);

    public static MlflowException Invalid(string message) => new(MlflowError.InvalidParameterValue(message));

    public static MlflowError NotFound(string what) => MlflowError.ResourceDoesNotExist($"{what} not found.");
}
