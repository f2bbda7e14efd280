using System.Text.Json;
using System.Text.RegularExpressions;
using Registry.Api.Changes;
using Registry.Api.Mlflow;
using Registry.Data;

namespace Registry.Api.Features.Webhooks;

/// <summary>What MLflow 3.11 accepts for a webhook (<c>mlflow/utils/validation.py</c>, <c>mlflow/entities/webhook.py</c>), with its messages.</summary>
internal static partial class WebhookValidation
{
    /// <summary>The proto's enums, by number.</summary>
    private static readonly string[] Entities =
    [
        "ENTITY_UNSPECIFIED", "REGISTERED_MODEL", "MODEL_VERSION", "MODEL_VERSION_TAG", "MODEL_VERSION_ALIAS", "PROMPT",
        "PROMPT_VERSION", "PROMPT_TAG", "PROMPT_VERSION_TAG", "PROMPT_ALIAS", "BUDGET_POLICY",
    ];

    private static readonly string[] Actions = ["ACTION_UNSPECIFIED", "CREATED", "UPDATED", "DELETED", "SET", "EXCEEDED"];

    /// <summary>Registry's extension action (MODEL_VERSION.STAGE_TRANSITIONED); it has no number in MLflow's proto.</summary>
    private const string StageTransitioned = "STAGE_TRANSITIONED";

    /// <summary>MLflow's VALID_ENTITY_ACTIONS, plus our stage event.</summary>
    private static readonly Dictionary<string, string[]> ValidActions = new()
    {
        ["registered_model"] = ["created"],
        ["model_version"] = ["created", "stage_transitioned"],
        ["model_version_tag"] = ["set", "deleted"],
        ["model_version_alias"] = ["created", "deleted"],
        ["prompt"] = ["created"],
        ["prompt_version"] = ["created"],
        ["prompt_tag"] = ["set", "deleted"],
        ["prompt_version_tag"] = ["set", "deleted"],
        ["prompt_alias"] = ["created", "deleted"],
        ["budget_policy"] = ["exceeded"],
    };

    public static string Required(string? value, string field) =>
        value is null ? throw Invalid($"Missing value for required parameter '{field}'. See the API docs for more information about request parameters.") : value;

    public static List<WebhookEventInput?> RequiredEvents(List<WebhookEventInput?>? events) =>
        events ?? throw Invalid("Missing value for required parameter 'events'. See the API docs for more information about request parameters.");

    /// <summary>MLflow's <c>_validate_webhook_name</c>.</summary>
    public static string Name(string name) => NamePattern().IsMatch(name)
        ? name
        : throw Invalid($"Webhook name {Py.Repr(name)} is invalid. It must start and end with a letter or digit, be less than 63 characters long, " +
                        "and contain only letters, digits, dots (.), underscores (_), and hyphens (-).");

    public static string? Description(string? description) =>
        description is null ? null
        : description.Length > Limits.WebhookDescription ? throw Invalid($"Webhook description is at most {Limits.WebhookDescription} characters.")
        : Text.Storable(description, "description");

    public static string Url(string url) => url.Length > Limits.WebhookUrl
        ? throw Invalid($"Webhook URL is at most {Limits.WebhookUrl} characters.")
        : Text.Storable(url, "url");

    public static string? Secret(string? secret) =>
        string.IsNullOrEmpty(secret) ? null
        : secret.Length > Limits.WebhookSecret ? throw Invalid($"Webhook secret is at most {Limits.WebhookSecret} characters.")
        : Text.Storable(secret, "secret");

    /// <summary>The subscribed events as <c>entity.action</c>, sorted (MLflow answers them in that order).</summary>
    public static string[] Events(List<WebhookEventInput?> events)
    {
        var names = events.Select((e, i) => Event(e, $"events[{i}]")).ToList();
        if (names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1) is { } repeated)
        {
            throw Invalid($"Webhook event '{repeated.Key}' is listed more than once.");
        }
        return [.. names.Order(StringComparer.Ordinal)];
    }

    /// <summary>MLflow's <c>_validate_webhook_events</c>, checked after the name and URL as MLflow does.</summary>
    public static string[] NonEmpty(string[] events) =>
        events.Length > 0 ? events : throw Invalid("Webhook events must be a non-empty list of WebhookEvent objects: [].");

    /// <summary>One event, as <c>entity.action</c>; Registry sends every event MLflow defines except the AI gateway's.</summary>
    public static string Event(WebhookEventInput? input, string field)
    {
        if (input is null)
        {
            throw Invalid($"Parameter '{field}' must be an object with 'entity' and 'action'.");
        }
        var entityValue = Present(input.Entity, $"{field}.entity");
        var actionValue = Present(input.Action, $"{field}.action");
        var entity = EnumName(entityValue, Entities)?.ToLowerInvariant() is { } known && ValidActions.ContainsKey(known)
            ? known
            : throw Invalid($"Invalid webhook event entity {entityValue.GetRawText()} for parameter '{field}.entity'. " +
                            $"Valid entities are: {string.Join(", ", Entities[1..])}.");
        var action = (EnumName(actionValue, Actions) ?? (actionValue.ValueKind == JsonValueKind.String && actionValue.GetString() == StageTransitioned
                ? StageTransitioned
                : throw Invalid($"Invalid webhook event action {actionValue.GetRawText()} for parameter '{field}.action'. " +
                                $"Valid actions are: {string.Join(", ", Actions[1..].Append(StageTransitioned))}.")))
            .ToLowerInvariant();
        var valid = ValidActions[entity];
        if (!valid.Contains(action))
        {
            throw Invalid($"Invalid action '{action}' for entity '{entity}'. Valid actions are: [{string.Join(", ", valid.Order(StringComparer.Ordinal).Select(a => $"'{a}'"))}]");
        }
        var name = $"{entity}.{action}";
        return WebhookEvents.Sent.Contains(name)
            ? name
            : throw Invalid($"Registry does not send '{name}' events: it has no AI gateway.");
    }

    /// <summary>ACTIVE or DISABLED, by name or number; null when not given.</summary>
    public static string? Status(JsonElement? status) => status is not { ValueKind: not JsonValueKind.Null } given
        ? null
        : EnumName(given, ["STATUS_UNSPECIFIED", "ACTIVE", "DISABLED"]) is ("ACTIVE" or "DISABLED") and var name
            ? name
            : throw Invalid($"Invalid webhook status {given.GetRawText()}. Valid statuses are: ACTIVE, DISABLED.");

    /// <summary>The event as MLflow's JSON shows it: entity and action in upper case.</summary>
    public static WebhookEvent ToWire(string @event)
    {
        var dot = @event.IndexOf('.');
        return new WebhookEvent(@event[..dot].ToUpperInvariant(), @event[(dot + 1)..].ToUpperInvariant());
    }

    private static JsonElement Present(JsonElement? value, string field) => value is { ValueKind: not JsonValueKind.Null } present
        ? present
        : throw Invalid($"Missing value for required parameter '{field}'. See the API docs for more information about request parameters.");

    /// <summary>A protobuf enum value given by name or by number; null when it is neither.</summary>
    private static string? EnumName(JsonElement value, string[] names) => value.ValueKind switch
    {
        JsonValueKind.String when names.Contains(value.GetString()) => value.GetString(),
        JsonValueKind.Number when value.TryGetInt32(out var index) && index >= 0 && index < names.Length => names[index],
        _ => null,
    };

    private static MlflowException Invalid(string message) => new(MlflowError.InvalidParameterValue(message));

    [GeneratedRegex("^(?=.{1,63}$)[a-z0-9]([a-z0-9._-]*[a-z0-9])?$", RegexOptions.IgnoreCase)]
    private static partial Regex NamePattern();
}
