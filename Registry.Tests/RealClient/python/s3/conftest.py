"""The S3 flows talk to a second API, one whose artifacts live in S3: REGISTRY_S3_TRACKING_URI (same database and token)."""

import os

import mlflow
import pytest


@pytest.fixture(autouse=True)
def s3_api(tracking_uri):
    uri = os.environ.get("REGISTRY_S3_TRACKING_URI", "")
    if not uri.startswith("http"):
        pytest.skip("needs REGISTRY_S3_TRACKING_URI: the MLflow tracking URI of a Registry API whose artifacts are in S3")
    mlflow.set_tracking_uri(uri)
    yield uri
    mlflow.set_tracking_uri(tracking_uri)
