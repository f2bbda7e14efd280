"""Registered models, versions, stages and aliases through MlflowClient."""

import mlflow
import pytest
from mlflow.exceptions import MlflowException, RestException


def _version_source(client, experiment):
    run = client.create_run(experiment)
    return run.info.run_id, f"{run.info.artifact_uri}/model"


def test_registered_model_lifecycle(client, unique):
    name = unique("model")
    created = client.create_registered_model(name, tags={"team": "ml"}, description="first")
    assert created.name == name
    assert created.tags == {"team": "ml"}

    client.update_registered_model(name, description="second")
    client.set_registered_model_tag(name, "stage", "dev")
    client.delete_registered_model_tag(name, "team")
    model = client.get_registered_model(name)
    assert model.description == "second"
    assert model.tags == {"stage": "dev"}
    assert model.creation_timestamp <= model.last_updated_timestamp

    renamed = unique("renamed")
    client.rename_registered_model(name, renamed)
    assert client.get_registered_model(renamed).name == renamed
    with pytest.raises(MlflowException) as missing:
        client.get_registered_model(name)
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"

    with pytest.raises(MlflowException) as taken:
        client.create_registered_model(renamed)
    assert taken.value.error_code == "RESOURCE_ALREADY_EXISTS"

    client.delete_registered_model(renamed)
    with pytest.raises(MlflowException):
        client.get_registered_model(renamed)


def test_search_registered_models_filters_orders_and_pages(client, unique):
    prefix = unique("search")
    for suffix in ["c", "a", "b"]:
        client.create_registered_model(f"{prefix}-{suffix}", tags={"suffix": suffix})

    names = [m.name for m in client.search_registered_models(filter_string=f"name LIKE '{prefix}-%'", order_by=["name DESC"])]
    assert names == [f"{prefix}-c", f"{prefix}-b", f"{prefix}-a"]

    tagged = client.search_registered_models(filter_string=f"name LIKE '{prefix}-%' AND tags.suffix = 'b'")
    assert [m.name for m in tagged] == [f"{prefix}-b"]

    first = client.search_registered_models(filter_string=f"name LIKE '{prefix}-%'", max_results=2, order_by=["name"])
    assert [m.name for m in first] == [f"{prefix}-a", f"{prefix}-b"]
    assert first.token
    second = client.search_registered_models(filter_string=f"name LIKE '{prefix}-%'", max_results=2, order_by=["name"], page_token=first.token)
    assert [m.name for m in second] == [f"{prefix}-c"]
    assert not second.token


def test_versions_stages_and_aliases(client, unique, experiment):
    name = unique("versions")
    client.create_registered_model(name)
    run_id, source = _version_source(client, experiment)
    v1 = client.create_model_version(name, source, run_id, tags={"k": "v"}, description="one")
    v2 = client.create_model_version(name, source, run_id)
    assert (v1.version, v2.version) == ("1", "2")
    assert v1.status == "READY"
    assert v1.run_id == run_id
    assert v1.tags == {"k": "v"}

    client.update_model_version(name, "2", description="two")
    client.set_model_version_tag(name, "2", "validated", "yes")
    client.delete_model_version_tag(name, "1", "k")
    assert client.get_model_version(name, "2").description == "two"
    assert client.get_model_version(name, "2").tags == {"validated": "yes"}
    assert client.get_model_version(name, "1").tags == {}

    client.transition_model_version_stage(name, "1", "Production")
    client.transition_model_version_stage(name, "2", "production", archive_existing_versions=True)
    assert client.get_model_version(name, "1").current_stage == "Archived"
    latest = client.get_latest_versions(name, stages=["Production"])
    assert [v.version for v in latest] == ["2"]
    assert {v.current_stage: v.version for v in client.get_latest_versions(name)} == {"Archived": "1", "Production": "2"}

    client.set_registered_model_alias(name, "champion", "1")
    client.set_registered_model_alias(name, "champion", "2")
    by_alias = client.get_model_version_by_alias(name, "champion")
    assert by_alias.version == "2"
    assert by_alias.aliases == ["champion"]
    assert client.get_registered_model(name).aliases == {"champion": "2"}

    client.delete_registered_model_alias(name, "champion")
    with pytest.raises(MlflowException) as unset:
        client.get_model_version_by_alias(name, "champion")
    assert unset.value.error_code == "INVALID_PARAMETER_VALUE"
    assert "Registered model alias champion not found." in unset.value.message

    versions = client.search_model_versions(f"name = '{name}'", order_by=["version_number ASC"])
    assert [v.version for v in versions] == ["1", "2"]
    assert [v.version for v in client.search_model_versions(f"name = '{name}' AND run_id = '{run_id}' AND version_number > 1")] == ["2"]

    client.delete_model_version(name, "1")
    assert [v.version for v in client.search_model_versions(f"name = '{name}'")] == ["2"]
    assert client.create_model_version(name, source, run_id).version == "3"


def test_register_model_creates_the_model_once(client, unique, experiment):
    name = unique("register")
    run_id, _ = _version_source(client, experiment)
    client.log_text(run_id, "flavors: {}\n", "model/MLmodel")
    first = mlflow.register_model(f"runs:/{run_id}/model", name)
    second = mlflow.register_model(f"runs:/{run_id}/model", name)
    assert (first.version, second.version) == ("1", "2")
    assert client.get_model_version_download_uri(name, "1").endswith(f"/{run_id}/artifacts/model")


def test_errors_come_back_as_mlflow_errors(client, unique):
    with pytest.raises(RestException) as missing:
        client.get_model_version(unique("nothing"), "1")
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(MlflowException) as invalid:
        client.search_registered_models(filter_string="name = ")
    assert invalid.value.error_code == "INVALID_PARAMETER_VALUE"
