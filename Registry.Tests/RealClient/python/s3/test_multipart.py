"""MLflow's proxied multipart upload (MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD) against S3-backed artifact storage.

RealClientTests runs these against an API whose artifacts live in S3 (moto); the parts go straight to S3. The files are
small (one over S3's 5 MiB smallest part, so it has two parts; the others one part each) to keep the run short.
"""

import os

import mlflow
import pytest
from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

PART = 5 * 1024 * 1024  # S3's smallest part (all but the last)


@pytest.fixture(autouse=True)
def multipart(monkeypatch):
    monkeypatch.setenv("MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD", "true")
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE", str(1024 * 1024))
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE", str(PART))


def _write(path, size):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(os.urandom(size))
    return path


def test_every_file_of_a_directory_keeps_its_own_name(client, experiment, tmp_path):
    source = tmp_path / "source"
    files = {
        "weights.bin": PART + 1234,
        "optimizer.bin": 1024 * 1024 + 5,
        "shards/shard-0.bin": 1024 * 1024 + 1,
        "shards/deeper/shard-1.bin": 1024 * 1024 + 7,
        "small.txt": 10,
    }
    for relative, size in files.items():
        _write(source / relative, size)

    with mlflow.start_run() as run:
        mlflow.log_artifacts(str(source), artifact_path="large")
    run_id = run.info.run_id

    assert {f.path: f.file_size for f in client.list_artifacts(run_id, "large")} == {
        "large/optimizer.bin": files["optimizer.bin"], "large/shards": None,
        "large/small.txt": files["small.txt"], "large/weights.bin": files["weights.bin"],
    }
    assert {f.path: f.file_size for f in client.list_artifacts(run_id, "large/shards/deeper")} == {
        "large/shards/deeper/shard-1.bin": files["shards/deeper/shard-1.bin"],
    }
    for relative in files:
        destination = tmp_path / "down" / relative.replace("/", "_")
        destination.mkdir(parents=True)
        local = client.download_artifacts(run_id, f"large/{relative}", str(destination))
        assert open(local, "rb").read() == (source / relative).read_bytes(), relative


def test_a_file_logged_at_the_root_lands_at_the_root(client, experiment, tmp_path):
    large = _write(tmp_path / "root.bin", 1024 * 1024 + 3)
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(large))
    assert [(f.path, f.file_size) for f in client.list_artifacts(run.info.run_id)] == [("root.bin", 1024 * 1024 + 3)]


def test_an_aborted_upload_leaves_nothing_visible(client, experiment, tmp_path):
    large = _write(tmp_path / "aborted.bin", 10)
    with mlflow.start_run() as run:
        pass
    repo = get_artifact_repository(run.info.artifact_uri)
    created = repo.create_multipart_upload(str(large), 2, "partial")
    assert len(created.credentials) == 2
    repo.abort_multipart_upload(str(large), created.upload_id, "partial")

    assert client.list_artifacts(run.info.run_id, "partial") == []
    assert client.list_artifacts(run.info.run_id) == []
