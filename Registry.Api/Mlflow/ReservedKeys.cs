namespace Registry.Api.Mlflow;

/// <summary>
/// MLflow's reserved tag keys that the registry acts on (mlflow/utils/mlflow_tags.py, mlflow/prompt/constants.py), in one
/// place. They are constants without quotes or escapes, so SQL may splice them between single quotes.
/// </summary>
internal static class ReservedKeys
{
    public const string RunName = "mlflow.runName";
    public const string LogModelHistory = "mlflow.log-model.history";
    public const string IsPrompt = "mlflow.prompt.is_prompt";
    public const string PromptType = "_mlflow_prompt_type";
    public const string PromptText = "mlflow.prompt.text";
}
