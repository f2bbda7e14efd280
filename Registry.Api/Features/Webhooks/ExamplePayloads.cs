using Registry.Api.Changes;

namespace Registry.Api.Features.Webhooks;

/// <summary>What <c>POST .../webhooks/{id}/test</c> sends: MLflow 3.11's example payload of each event (<c>mlflow/webhooks/types.py</c>).</summary>
internal static class ExamplePayloads
{
    private static readonly Dictionary<string, string> ByEvent = new()
    {
        [WebhookEvents.RegisteredModelCreated] =
            """{"name": "example_model", "tags": {"example_key": "example_value"}, "description": "An example registered model"}""",
        [WebhookEvents.ModelVersionCreated] =
            """{"name": "example_model", "version": "1", "source": "models:/123", "run_id": "abcd1234abcd5678", "tags": {"example_key": "example_value"}, "description": "An example model version"}""",
        [WebhookEvents.ModelVersionTagSet] = """{"name": "example_model", "version": "1", "key": "example_key", "value": "example_value"}""",
        [WebhookEvents.ModelVersionTagDeleted] = """{"name": "example_model", "version": "1", "key": "example_key"}""",
        [WebhookEvents.ModelVersionAliasCreated] = """{"name": "example_model", "alias": "example_alias", "version": "1"}""",
        [WebhookEvents.ModelVersionAliasDeleted] = """{"name": "example_model", "alias": "example_alias"}""",
        [WebhookEvents.PromptCreated] = """{"name": "example_prompt", "tags": {"example_key": "example_value"}, "description": "An example prompt"}""",
        [WebhookEvents.PromptVersionCreated] =
            """{"name": "example_prompt", "version": "1", "template": "Hello {{name}}!", "tags": {"example_key": "example_value"}, "description": "An example prompt version"}""",
        [WebhookEvents.PromptTagSet] = """{"name": "example_prompt", "key": "example_key", "value": "example_value"}""",
        [WebhookEvents.PromptTagDeleted] = """{"name": "example_prompt", "key": "example_key"}""",
        [WebhookEvents.PromptVersionTagSet] = """{"name": "example_prompt", "version": "1", "key": "example_key", "value": "example_value"}""",
        [WebhookEvents.PromptVersionTagDeleted] = """{"name": "example_prompt", "version": "1", "key": "example_key"}""",
        [WebhookEvents.PromptAliasCreated] = """{"name": "example_prompt", "alias": "example_alias", "version": "1"}""",
        [WebhookEvents.PromptAliasDeleted] = """{"name": "example_prompt", "alias": "example_alias"}""",
        [WebhookEvents.ModelVersionStageTransitioned] =
            """{"name": "example_model", "version": "2", "from_stage": "Staging", "to_stage": "Production", "archived_versions": ["1"]}""",
    };

    public static string For(string @event) => ByEvent[@event];
}
