"""The stock MLflow client against a running Registry.

RealClientTests (C#) runs these with MLFLOW_TRACKING_URI and MLFLOW_TRACKING_TOKEN pointing at the API it started
(and REGISTRY_S3_TRACKING_URI at one on S3, for s3/). By hand, against any Registry project:

    MLFLOW_TRACKING_URI=http://localhost:5080/api/v4/projects/1/ml/mlflow MLFLOW_TRACKING_TOKEN=<token> \
        python -m pytest Registry.Tests/RealClient/python
"""

import os
import uuid

import mlflow
import pytest
from mlflow import MlflowClient

MLFLOW_MAJOR = int(mlflow.__version__.split(".")[0])


def pytest_configure(config):
    config.addinivalue_line("markers", "mlflow3: the flow exists from MLflow 3 on")


def pytest_collection_modifyitems(config, items):
    if MLFLOW_MAJOR >= 3:
        return
    skip = pytest.mark.skip(reason=f"needs MLflow 3 (this client is {mlflow.__version__})")
    for item in items:
        if "mlflow3" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def tracking_uri():
    uri = os.environ.get("MLFLOW_TRACKING_URI", "")
    if not uri.startswith("http") or not os.environ.get("MLFLOW_TRACKING_TOKEN"):
        pytest.exit("Set MLFLOW_TRACKING_URI (http://host/api/v4/projects/<id>/ml/mlflow) and MLFLOW_TRACKING_TOKEN.", returncode=4)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return uri


@pytest.fixture
def client():
    return MlflowClient()


@pytest.fixture
def unique():
    """Names no other test (or the other client version running beside this one) uses."""
    return lambda prefix: f"{prefix}-{MLFLOW_MAJOR}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def experiment(unique):
    """A fresh experiment, set as the active one for fluent calls."""
    return mlflow.set_experiment(unique("exp")).experiment_id


@pytest.fixture(autouse=True)
def no_active_run():
    yield
    while mlflow.active_run():
        mlflow.end_run()
