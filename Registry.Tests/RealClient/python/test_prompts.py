"""MLflow 3's prompt registry: prompts are registered models and versions with prompt tags."""

import mlflow
import pytest

pytestmark = pytest.mark.mlflow3


def test_prompts_are_registered_versioned_aliased_and_loaded(client, unique):
    name = unique("prompt").replace("-", "_")
    first = mlflow.genai.register_prompt(name, "Summarize: {{text}}", commit_message="first")
    second = mlflow.genai.register_prompt(name, "Summarize briefly: {{text}}")
    assert (first.version, second.version) == (1, 2)

    assert mlflow.genai.load_prompt(f"prompts:/{name}/1").template == "Summarize: {{text}}"
    assert mlflow.genai.load_prompt(f"prompts:/{name}/2").format(text="x") == "Summarize briefly: x"

    mlflow.genai.set_prompt_alias(name, "production", 1)
    assert mlflow.genai.load_prompt(f"prompts:/{name}@production").version == 1
    mlflow.genai.delete_prompt_alias(name, "production")

    found = mlflow.genai.search_prompts(filter_string=f"name = '{name}'")
    assert [p.name for p in found] == [name]
    assert name not in [m.name for m in client.search_registered_models(filter_string=f"name = '{name}'")]
