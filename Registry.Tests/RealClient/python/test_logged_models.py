"""MLflow 3's logged models: created, tagged, finalized, searched, and the metrics linked to them."""

import mlflow
import mlflow.pyfunc
import pytest

MLFLOW_MAJOR = int(mlflow.__version__.split(".")[0])

if MLFLOW_MAJOR < 3:
    pytest.skip("logged models exist from MLflow 3 on", allow_module_level=True)

from mlflow.entities import LoggedModelStatus, Metric  # noqa: E402


class Echo(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return model_input


def test_a_logged_model_is_created_tagged_finalized_found_and_deleted(client, experiment):
    model = mlflow.initialize_logged_model(name="external", model_type="agent", tags={"team": "nlp"}, params={"temperature": "0.1"})
    assert model.status == LoggedModelStatus.PENDING
    mlflow.set_logged_model_tags(model.model_id, {"stage": "dev"})
    mlflow.delete_logged_model_tag(model.model_id, "team")
    mlflow.log_model_params({"top_k": "5"}, model_id=model.model_id)
    ready = mlflow.finalize_logged_model(model.model_id, LoggedModelStatus.READY)
    assert ready.status == LoggedModelStatus.READY

    fetched = mlflow.get_logged_model(model.model_id)
    assert fetched.tags.get("stage") == "dev"
    assert "team" not in fetched.tags
    assert fetched.params == {"temperature": "0.1", "top_k": "5"}
    assert fetched.model_type == "agent"

    found = mlflow.search_logged_models(experiment_ids=[experiment], filter_string="tags.stage = 'dev' AND params.top_k = '5'", output_format="list")
    assert [m.model_id for m in found] == [model.model_id]

    client.delete_logged_model(model.model_id)
    assert mlflow.search_logged_models(experiment_ids=[experiment], output_format="list") == []


def test_log_model_files_are_listed_under_the_logged_model(client, experiment):
    with mlflow.start_run():
        info = mlflow.pyfunc.log_model(name="echo", python_model=Echo(), pip_requirements=[])
    names = {f.path for f in client.list_logged_model_artifacts(info.model_id)}
    assert {"MLmodel", "python_model.pkl"} <= names
    assert mlflow.get_logged_model(info.model_id).status == LoggedModelStatus.READY


def test_metrics_logged_with_a_model_id_attach_to_the_model(client, experiment):
    model = mlflow.initialize_logged_model(name="scored")
    with mlflow.start_run() as run:
        mlflow.log_metric("accuracy", 0.91, model_id=model.model_id)
        client.log_batch(run.info.run_id, metrics=[
            Metric("f1", 0.8, 1000, 0, model_id=model.model_id, dataset_name="eval", dataset_digest="abc123"),
        ])

    metrics = {m.key: m for m in mlflow.get_logged_model(model.model_id).metrics}
    assert set(metrics) == {"accuracy", "f1"}
    assert metrics["accuracy"].value == pytest.approx(0.91)
    assert metrics["accuracy"].run_id == run.info.run_id
    assert metrics["accuracy"].model_id == model.model_id
    assert (metrics["f1"].dataset_name, metrics["f1"].dataset_digest) == ("eval", "abc123")
    assert client.get_run(run.info.run_id).data.metrics == {"accuracy": pytest.approx(0.91), "f1": pytest.approx(0.8)}


def test_log_model_links_the_metrics_the_run_logged_at_its_step(client, experiment):
    with mlflow.start_run() as run:
        mlflow.log_metric("loss", 0.25)
        mlflow.log_metric("loss", 0.5, step=3)
        info = mlflow.pyfunc.log_model(name="linked", python_model=Echo(), pip_requirements=[])

    linked = mlflow.get_logged_model(info.model_id).metrics
    assert [(m.key, m.value, m.step, m.run_id) for m in linked] == [("loss", 0.25, 0, run.info.run_id)]
    assert len(client.get_metric_history(run.info.run_id, "loss")) == 2


def test_logged_models_are_searched_and_ordered_by_metrics(client, experiment):
    scores = {}
    for accuracy in [0.7, 0.95, 0.9]:
        model = mlflow.initialize_logged_model(name=f"m{accuracy}")
        with mlflow.start_run():
            mlflow.log_metric("acc", accuracy, model_id=model.model_id)
            mlflow.log_metric("acc_eval", accuracy - 0.1, model_id=model.model_id, dataset=None)
        scores[model.model_id] = accuracy

    good = mlflow.search_logged_models(experiment_ids=[experiment], filter_string="metrics.acc > 0.8",
                                       order_by=[{"field_name": "metrics.acc", "ascending": False}], output_format="list")
    assert [scores[m.model_id] for m in good] == [0.95, 0.9]

    ascending = mlflow.search_logged_models(experiment_ids=[experiment], order_by=[{"field_name": "metrics.acc", "ascending": True}], output_format="list")
    assert [scores[m.model_id] for m in ascending] == [0.7, 0.9, 0.95]
