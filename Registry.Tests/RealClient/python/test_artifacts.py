"""Artifacts through the mlflow-artifacts proxy: upload, list, download, byte for byte."""

import os

import mlflow
from mlflow.artifacts import download_artifacts


def _tree(root):
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_files_and_directories_go_up_list_and_come_back_byte_for_byte(client, experiment, tmp_path):
    source = tmp_path / "source"
    (source / "nested" / "deeper").mkdir(parents=True)
    (source / "a.txt").write_text("alpha")
    (source / "nested" / "b.bin").write_bytes(os.urandom(300_000))
    (source / "nested" / "deeper" / "c.json").write_text('{"c": 3}')
    single = tmp_path / "single.csv"
    single.write_text("x,y\n1,2\n")

    with mlflow.start_run() as run:
        mlflow.log_artifacts(str(source), artifact_path="data")
        mlflow.log_artifact(str(single))
        mlflow.log_text("hello", "notes/hello.txt")
        mlflow.log_dict({"k": [1, 2]}, "notes/config.json")
    run_id = run.info.run_id

    assert [(f.path, f.is_dir) for f in client.list_artifacts(run_id)] == [("data", True), ("notes", True), ("single.csv", False)]
    listed = {f.path: f.file_size for f in client.list_artifacts(run_id, "data/nested")}
    assert listed == {"data/nested/b.bin": 300_000, "data/nested/deeper": None}

    downloaded = tmp_path / "downloaded"
    downloaded.mkdir()
    local = client.download_artifacts(run_id, "data", str(downloaded))
    assert _tree(source) == _tree(type(tmp_path)(local))

    one = download_artifacts(run_id=run_id, artifact_path="single.csv", dst_path=str(tmp_path / "one"))
    assert open(one).read() == "x,y\n1,2\n"
    assert mlflow.artifacts.load_text(f"runs:/{run_id}/notes/hello.txt") == "hello"
    assert mlflow.artifacts.load_dict(f"runs:/{run_id}/notes/config.json") == {"k": [1, 2]}


def test_without_multipart_storage_the_client_falls_back_to_a_plain_upload(client, experiment, tmp_path, monkeypatch):
    """The file store answers 501 to mpu/create, as MLflow's server does; the client then uploads the file whole."""
    monkeypatch.setenv("MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD", "true")
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE", "1024")
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE", "1024")
    large = tmp_path / "large.bin"
    large.write_bytes(os.urandom(100_000))

    with mlflow.start_run() as run:
        mlflow.log_artifact(str(large), artifact_path="big")

    assert [(f.path, f.file_size) for f in client.list_artifacts(run.info.run_id, "big")] == [("big/large.bin", 100_000)]
    # MLflow 3.11 asks for a presigned download first when told to; Registry has none (404) and the client falls back.
    monkeypatch.setenv("MLFLOW_ENABLE_PROXY_MULTIPART_DOWNLOAD", "true")
    local = client.download_artifacts(run.info.run_id, "big/large.bin", str(tmp_path))
    assert open(local, "rb").read() == large.read_bytes()
