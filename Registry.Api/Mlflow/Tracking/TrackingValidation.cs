using Registry.Data;

namespace Registry.Api.Mlflow.Tracking;

/// <summary>MLflow's tracking limits (validation.py): names, values, log-batch sizes, run statuses.</summary>
internal static class TrackingValidation
{
    public const int MaxBatchMetrics = 1000;
    public const int MaxBatchParams = 100;
    public const int MaxBatchTags = 100;
    public const int MaxBatchTotal = 1000;

    public static readonly string[] RunStatuses = ["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"];

    public static string RunId(string? runId, string? runUuid = null)
    {
        var id = string.IsNullOrEmpty(runId) ? runUuid : runId;
        return string.IsNullOrEmpty(id) ? throw Invalid(MlflowMessages.Missing("run_id")) : Text.Storable(id, "run_id");
    }

    public static string ExperimentName(string? name, string field = "name")
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw Invalid($"Invalid experiment name: '{name}'. An experiment name must be a non-empty string (parameter '{field}').");
        }
        if (name.Length > Limits.ExperimentName)
        {
            throw Invalid($"Experiment name is {name.Length} characters long; at most {Limits.ExperimentName} are allowed.");
        }
        return Text.Storable(name, field);
    }

    public static string Status(string status) => RunStatuses.Contains(status)
        ? status
        : throw Invalid($"Invalid run status '{status}'; use {string.Join(", ", RunStatuses)}.");

    /// <summary>A metric point; with a model id (MLflow 3) it also belongs to that logged model, on an optional dataset.</summary>
    /// <param name="path">Where log-batch has the metric (<c>metrics[0].</c>), so messages name the field as MLflow does.</param>
    public static Metric Metric(
        string? key, double? value, long? timestamp, long? step, string? modelId, string? datasetName, string? datasetDigest, string path = "")
    {
        var validKey = Keys.Validate(key, "metric", $"{path}key");
        return new Metric(
            validKey,
            value ?? throw Invalid(MlflowMessages.Missing($"{path}value")),
            timestamp ?? throw Invalid(MlflowMessages.Missing($"{path}timestamp")),
            step ?? 0,
            Optional(datasetName, $"{path}dataset_name", Limits.DatasetName),
            Optional(datasetDigest, $"{path}dataset_digest", Limits.DatasetDigest),
            Optional(modelId, $"{path}model_id", Limits.ModelId));
    }

    /// <summary>The run's user as the client names it (MLflow stores what it is sent).</summary>
    public static string? RunUser(string? userId) => Optional(userId, "user_id", Limits.RunUser);

    private static string? Optional(string? value, string field, int limit) => string.IsNullOrEmpty(value)
        ? null
        : Text.Storable(value, field).Length <= limit ? value : throw Invalid($"Parameter '{field}' is {value.Length} characters long; at most {limit} are allowed.");

    public static KeyValue Param(string? key, string? value, string path = "")
    {
        var validKey = Keys.Validate(key, "param", $"{path}key");
        return new KeyValue(validKey, Keys.Value(value, "param", validKey, Limits.ParamValue));
    }

    /// <summary>A run's tag; <see cref="ReservedKeys.RunName"/> is also the run's name (setting it renames the run), so it is held to the name's limit.</summary>
    public static KeyValue RunTag(string? key, string? value)
    {
        var validKey = Keys.Validate(key, "tag");
        var validValue = Keys.Value(value, "tag", validKey, Limits.RunTagValue);
        return new KeyValue(validKey, validKey == ReservedKeys.RunName ? RunName(validValue) : validValue);
    }

    public static string RunName(string name) => Text.Storable(name, "run_name").Length <= Limits.RunName
        ? name
        : throw Invalid($"run_name is {name.Length} characters long; at most {Limits.RunName} are allowed.");

    public static List<KeyValue> Tags(List<TagInput?>? tags, Func<string?, string?, KeyValue> validate)
    {
        if (tags?.Count > Limits.TagsPerRequest)
        {
            throw Invalid($"A request can set at most {Limits.TagsPerRequest} tags; got {tags.Count}.");
        }
        var byKey = new Dictionary<string, KeyValue>(StringComparer.Ordinal);
        for (var i = 0; i < tags?.Count; i++)
        {
            var tag = tags[i] ?? throw Invalid("A list of tags contains a null entry.");
            var valid = validate(string.IsNullOrEmpty(tag.Key) ? throw Invalid(MlflowMessages.Missing($"tags[{i}].key")) : tag.Key, tag.Value);
            byKey[valid.Key] = valid;
        }
        return [.. byKey.Values];
    }

    /// <summary>log-batch: a param repeated with the same value is logged once; with different values it is refused.</summary>
    public static List<KeyValue> Params(List<TagInput?>? parameters)
    {
        var byKey = new Dictionary<string, KeyValue>(StringComparer.Ordinal);
        for (var i = 0; i < parameters?.Count; i++)
        {
            var param = parameters[i] ?? throw Invalid("'params' contains a null entry.");
            var valid = Param(param.Key, param.Value, $"params[{i}].");
            if (byKey.TryGetValue(valid.Key, out var earlier) && earlier.Value != valid.Value)
            {
                throw Invalid($"Duplicate parameter keys have been submitted with different values: '{valid.Key}'.");
            }
            byKey[valid.Key] = valid;
        }
        return [.. byKey.Values];
    }

    public static void BatchSizes(int metrics, int parameters, int tags)
    {
        if (metrics > MaxBatchMetrics || parameters > MaxBatchParams || tags > MaxBatchTags || metrics + parameters + tags > MaxBatchTotal)
        {
            throw Invalid($"A batch logging request can contain at most {MaxBatchMetrics} metrics, {MaxBatchParams} params, {MaxBatchTags} tags " +
                $"and {MaxBatchTotal} items in total; got {metrics} metrics, {parameters} params and {tags} tags.");
        }
    }

    public static MlflowException Invalid(string message) => new(MlflowError.InvalidParameterValue(message));
}
