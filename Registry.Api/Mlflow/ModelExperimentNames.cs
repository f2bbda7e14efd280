namespace Registry.Api.Mlflow;

/// <summary>
/// Every registered model has its own default experiment, <c>[model]&lt;name&gt;</c> (as GitLab names it). Deleting the
/// model soft-deletes that experiment and renames it <c>[deleted model &lt;id&gt;]&lt;name&gt;</c>, so the name is free for
/// a new model and the runs in it stay restorable. Both prefixes are reserved: users cannot create an experiment with
/// such a name or rename one to it, so a model never finds, adopts or shares an experiment it did not create.
/// </summary>
internal static class ModelExperimentNames
{
    public const string Prefix = "[model]";
    public const string DeletedPrefix = "[deleted model ";

    public static string For(string modelName) => Prefix + modelName;

    /// <summary>The SQL for a deleted model's experiment <c>e</c>; unique because the experiment id is.</summary>
    public const string DeletedSql = "'" + DeletedPrefix + "' || e.iid || ']' || substring(e.name FROM 8)";

    public static bool IsReserved(string experimentName) =>
        experimentName.StartsWith(Prefix, StringComparison.Ordinal) || experimentName.StartsWith(DeletedPrefix, StringComparison.Ordinal);

    public static MlflowException Reserved(string experimentName) => new(MlflowError.InvalidParameterValue(
        $"Invalid experiment name '{experimentName}': names beginning with '{Prefix}' or '{DeletedPrefix.TrimEnd()}' are reserved " +
        "for the default experiments of registered models."));
}
