"""log_model -> register_model -> load_model, by version, stage, alias, latest and (MLflow 3) model id."""

import mlflow
import mlflow.pyfunc
import pandas as pd
import pytest

MLFLOW_MAJOR = int(mlflow.__version__.split(".")[0])


class AddN(mlflow.pyfunc.PythonModel):
    def __init__(self, n):
        self.n = n

    def predict(self, context, model_input, params=None):
        return model_input + self.n


def _log_model(n, registered_model_name=None):
    """log_model with the version's own keyword: artifact_path (2.x) or name (3.x)."""
    where = {"name": "model"} if MLFLOW_MAJOR >= 3 else {"artifact_path": "model"}
    return mlflow.pyfunc.log_model(python_model=AddN(n), pip_requirements=[], registered_model_name=registered_model_name, **where)


def _predict(uri):
    return list(mlflow.pyfunc.load_model(uri).predict(pd.DataFrame({"x": [1, 2]}))["x"])


def test_a_logged_model_is_registered_and_loaded_by_version_alias_stage_and_latest(client, unique, experiment):
    name = unique("pyfunc")
    with mlflow.start_run() as run:
        info = _log_model(10)
    version = mlflow.register_model(info.model_uri, name)
    assert version.version == "1"
    if MLFLOW_MAJOR < 3:
        assert version.run_id == run.info.run_id
        assert info.model_uri == f"runs:/{run.info.run_id}/model"

    with mlflow.start_run():
        _log_model(20, registered_model_name=name)

    assert _predict(f"models:/{name}/1") == [11, 12]
    assert _predict(f"models:/{name}/2") == [21, 22]
    assert _predict(f"models:/{name}/latest") == [21, 22]

    client.set_registered_model_alias(name, "champion", "1")
    assert _predict(f"models:/{name}@champion") == [11, 12]

    client.transition_model_version_stage(name, "1", "Production")
    assert _predict(f"models:/{name}/Production") == [11, 12]

    assert _predict(info.model_uri) == [11, 12]
    assert _predict(f"runs:/{run.info.run_id}/model") == [11, 12]


def test_model_files_can_be_downloaded_from_the_registry(client, unique, experiment, tmp_path):
    name = unique("download")
    with mlflow.start_run():
        _log_model(1, registered_model_name=name)
    local = mlflow.artifacts.download_artifacts(f"models:/{name}/1", dst_path=str(tmp_path))
    files = {p.name for p in tmp_path.rglob("*") if p.is_file()}
    assert {"MLmodel", "python_model.pkl"} <= files
    assert local.startswith(str(tmp_path))


@pytest.mark.mlflow3
def test_models_load_by_model_id_and_register_from_it(client, unique, experiment):
    with mlflow.start_run() as run:
        info = _log_model(5)
    assert info.model_uri == f"models:/{info.model_id}"
    assert _predict(f"models:/{info.model_id}") == [6, 7]

    name = unique("by-id")
    version = mlflow.register_model(info.model_uri, name)
    assert _predict(f"models:/{name}/{version.version}") == [6, 7]
    assert client.get_logged_model(info.model_id).source_run_id == run.info.run_id
