namespace Registry.Web.Features.Webhooks;

/// <summary>The events a webhook can subscribe to, as the API names them (MLflow 3.11's, and our stage transition).</summary>
public static class WebhookEvents
{
    public static readonly string[] All =
    [
        "registered_model.created", "model_version.created", "model_version.stage_transitioned", "model_version_tag.set",
        "model_version_tag.deleted", "model_version_alias.created", "model_version_alias.deleted", "prompt.created",
        "prompt_version.created", "prompt_tag.set", "prompt_tag.deleted", "prompt_version_tag.set", "prompt_version_tag.deleted",
        "prompt_alias.created", "prompt_alias.deleted",
    ];
}
