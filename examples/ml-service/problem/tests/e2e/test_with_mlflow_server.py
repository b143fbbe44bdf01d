"""The service against a real `mlflow server` on the shared tracking file."""

import httpx
import mlflow
import pytest


@pytest.fixture
def tracking_uri(mlflow_server):
    return mlflow_server


def test_training_is_tracked_by_the_server(app_server, tracking_uri):
    """A run trained through the service is visible through the tracking server's REST API."""
    trained = httpx.post(f"{app_server}/train", json={"xs": [0, 1, 2], "ys": [2, 4, 6]}, timeout=120).json()
    run = mlflow.MlflowClient(tracking_uri).get_run(trained["run_id"])
    assert run.data.metrics["slope"] == pytest.approx(2.0)
    assert run.data.params["points"] == "3"


def test_predictions_follow_the_latest_model(app_server, tracking_uri):
    """Two trainings on the server; predictions use the second model."""
    first = httpx.post(f"{app_server}/train", json={"xs": [0, 1], "ys": [0, 1]}, timeout=120).json()
    second = httpx.post(f"{app_server}/train", json={"xs": [0, 1], "ys": [1, 1]}, timeout=120).json()
    assert httpx.post(f"{app_server}/predict", json={"x": 5}, timeout=120).json() == {"version": 2, "y": 1.0}
    client = mlflow.MlflowClient(tracking_uri)
    assert {client.get_run(first["run_id"]).info.status, client.get_run(second["run_id"]).info.status} == {"FINISHED"}
