"""Experiments, runs, params, metrics, tags, log-batch and search: the fluent API and MlflowClient."""

import math
import time

import mlflow
import numpy as np
import pytest
from mlflow.entities import Metric, Param, RunTag, ViewType
from mlflow.exceptions import MlflowException


def test_experiments_are_found_by_name_tagged_renamed_deleted_and_restored(client, unique):
    name = unique("experiment")
    experiment_id = mlflow.set_experiment(name).experiment_id
    assert mlflow.set_experiment(name).experiment_id == experiment_id
    assert client.get_experiment_by_name(name).experiment_id == experiment_id
    assert client.get_experiment_by_name(unique("absent")) is None

    client.set_experiment_tag(experiment_id, "team", "vision")
    renamed = unique("renamed")
    client.rename_experiment(experiment_id, renamed)
    experiment = client.get_experiment(experiment_id)
    assert experiment.name == renamed
    assert experiment.tags["team"] == "vision"
    assert experiment.artifact_location.startswith("mlflow-artifacts:/")

    found = client.search_experiments(filter_string=f"name = '{renamed}' AND tags.team = 'vision'")
    assert [e.experiment_id for e in found] == [experiment_id]

    client.delete_experiment(experiment_id)
    assert client.get_experiment(experiment_id).lifecycle_stage == "deleted"
    assert experiment_id in [e.experiment_id for e in client.search_experiments(view_type=ViewType.DELETED_ONLY)]
    client.restore_experiment(experiment_id)
    assert client.get_experiment(experiment_id).lifecycle_stage == "active"


def test_a_fluent_run_logs_params_metrics_and_tags(client, experiment):
    with mlflow.start_run(run_name="fluent") as run:
        mlflow.log_param("alpha", 0.5)
        mlflow.log_params({"layers": 3, "optimizer": "adam"})
        for step in range(3):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        mlflow.log_metrics({"accuracy": 0.75, "nan": float("nan"), "inf": float("inf")})
        mlflow.set_tag("purpose", "test")
        mlflow.set_tags({"a": "1", "b": "2"})
    run_id = run.info.run_id

    finished = client.get_run(run_id)
    assert finished.info.status == "FINISHED"
    assert finished.info.end_time >= finished.info.start_time
    assert finished.info.run_name == "fluent"
    assert finished.info.user_id == finished.data.tags["mlflow.user"]
    assert finished.data.params == {"alpha": "0.5", "layers": "3", "optimizer": "adam"}
    assert finished.data.metrics["loss"] == pytest.approx(1.0 / 3)
    assert math.isnan(finished.data.metrics["nan"])
    assert finished.data.metrics["inf"] == math.inf
    assert {"purpose": "test", "a": "1", "b": "2", "mlflow.runName": "fluent"}.items() <= finished.data.tags.items()

    history = client.get_metric_history(run_id, "loss")
    assert [(m.step, m.value) for m in history] == [(0, 1.0), (1, 0.5), (2, pytest.approx(1.0 / 3))]

    with pytest.raises(MlflowException) as changed:
        client.log_param(run_id, "alpha", "0.9")
    assert changed.value.error_code == "INVALID_PARAMETER_VALUE"


def test_log_batch_is_all_or_nothing_and_a_replay_adds_no_points(client, experiment):
    run_id = client.create_run(experiment).info.run_id
    now = int(time.time() * 1000)
    metrics = [Metric("m", float(i), now + i, i) for i in range(50)] + [Metric("m", float("nan"), now, 99)]
    client.log_batch(run_id, metrics=metrics, params=[Param("p", "1")], tags=[RunTag("t", "x")])
    client.log_batch(run_id, metrics=metrics, params=[Param("p", "1")], tags=[RunTag("t", "x")])
    history = client.get_metric_history(run_id, "m")
    assert len(history) == 51

    with pytest.raises(MlflowException):
        client.log_batch(run_id, metrics=[Metric("other", 1.0, now, 0)], params=[Param("p", "2")])
    assert client.get_metric_history(run_id, "other") == []
    assert client.get_run(run_id).data.params == {"p": "1"}


def test_runs_update_delete_restore_and_tags(client, experiment):
    run = client.create_run(experiment, run_name="first", tags={"keep": "1", "drop": "2"})
    run_id = run.info.run_id
    assert run.info.user_id == "unknown"
    client.delete_tag(run_id, "drop")
    client.update_run(run_id, status="KILLED", name="renamed")
    updated = client.get_run(run_id)
    assert updated.info.status == "KILLED"
    assert updated.info.run_name == "renamed"
    assert updated.data.tags["mlflow.runName"] == "renamed"
    assert "drop" not in updated.data.tags

    client.delete_run(run_id)
    assert client.get_run(run_id).info.lifecycle_stage == "deleted"
    with pytest.raises(MlflowException) as deleted:
        client.log_metric(run_id, "x", 1.0)
    assert deleted.value.error_code == "INVALID_PARAMETER_VALUE"
    client.restore_run(run_id)
    client.log_metric(run_id, "x", 1.0)


def test_search_runs_filters_orders_and_pages(client, experiment):
    for i in range(5):
        with mlflow.start_run(run_name=f"run-{i}"):
            mlflow.log_metric("score", i)
            mlflow.log_param("parity", "even" if i % 2 == 0 else "odd")
            mlflow.set_tag("index", str(i))

    good = client.search_runs([experiment], "metrics.score >= 2 AND params.parity = 'even'", order_by=["metrics.score DESC"])
    assert [r.data.tags["index"] for r in good] == ["4", "2"]

    named = client.search_runs([experiment], "attributes.run_name = 'run-3'")
    assert [r.info.run_name for r in named] == ["run-3"]

    first = client.search_runs([experiment], order_by=["metrics.score ASC"], max_results=3)
    second = client.search_runs([experiment], order_by=["metrics.score ASC"], max_results=3, page_token=first.token)
    assert [r.data.metrics["score"] for r in first + second] == [0, 1, 2, 3, 4]

    frame = mlflow.search_runs(experiment_ids=[experiment], filter_string="tags.index = '1'")
    assert list(frame["tags.index"]) == ["1"]
    assert list(frame["metrics.score"]) == [1.0]


def test_datasets_are_logged_as_run_inputs(client, experiment, tmp_path):
    dataset = mlflow.data.from_numpy(np.arange(10).reshape(5, 2), source=str(tmp_path / "features.npy"), name="features")
    with mlflow.start_run() as run:
        mlflow.log_input(dataset, context="training")
    inputs = client.get_run(run.info.run_id).inputs.dataset_inputs
    assert [(i.dataset.name, i.dataset.digest) for i in inputs] == [("features", dataset.digest)]
    assert {t.key: t.value for t in inputs[0].tags} == {"mlflow.data.context": "training"}
