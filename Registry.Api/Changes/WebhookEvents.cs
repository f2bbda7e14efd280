namespace Registry.Api.Changes;

/// <summary>
/// The webhook events Registry sends, named <c>entity.action</c> as MLflow 3.11 names them
/// (<c>mlflow/entities/webhook.py</c>), plus <see cref="ModelVersionStageTransitioned"/>, which is ours.
/// </summary>
internal static class WebhookEvents
{
    public const string RegisteredModelCreated = "registered_model.created";
    public const string ModelVersionCreated = "model_version.created";
    public const string ModelVersionTagSet = "model_version_tag.set";
    public const string ModelVersionTagDeleted = "model_version_tag.deleted";
    public const string ModelVersionAliasCreated = "model_version_alias.created";
    public const string ModelVersionAliasDeleted = "model_version_alias.deleted";

    // MLflow 3 sends these instead of the model events above when the registered model is a prompt.
    public const string PromptCreated = "prompt.created";
    public const string PromptVersionCreated = "prompt_version.created";
    public const string PromptTagSet = "prompt_tag.set";
    public const string PromptTagDeleted = "prompt_tag.deleted";
    public const string PromptVersionTagSet = "prompt_version_tag.set";
    public const string PromptVersionTagDeleted = "prompt_version_tag.deleted";
    public const string PromptAliasCreated = "prompt_alias.created";
    public const string PromptAliasDeleted = "prompt_alias.deleted";

    /// <summary>Registry's extension: a version moved between stages (MLflow has no stage event).</summary>
    public const string ModelVersionStageTransitioned = "model_version.stage_transitioned";

    public static readonly IReadOnlyList<string> Sent =
    [
        RegisteredModelCreated, ModelVersionCreated, ModelVersionTagSet, ModelVersionTagDeleted, ModelVersionAliasCreated,
        ModelVersionAliasDeleted, PromptCreated, PromptVersionCreated, PromptTagSet, PromptTagDeleted, PromptVersionTagSet,
        PromptVersionTagDeleted, PromptAliasCreated, PromptAliasDeleted, ModelVersionStageTransitioned,
    ];
}
