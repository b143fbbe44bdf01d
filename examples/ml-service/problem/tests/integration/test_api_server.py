"""The API served by uvicorn, started and terminate()d by the conftest fixture."""

import sqlite3

import httpx
import mlflow
import pytest


def test_train_then_predict_over_http(app_server, tmp_path, tracking_uri):
    """A trained model answers over HTTP; the run is in MLflow and the prediction on disk."""
    trained = httpx.post(f"{app_server}/train", json={"xs": [0, 1, 2], "ys": [1, 3, 5]}, timeout=120).json()
    answer = httpx.post(f"{app_server}/predict", json={"x": 4}, timeout=120).json()
    assert answer == {"version": 1, "y": pytest.approx(9.0)}
    run = mlflow.MlflowClient(tracking_uri).get_run(trained["run_id"])
    assert run.data.metrics["slope"] == pytest.approx(2.0)
    rows = sqlite3.connect(tmp_path / "service.db").execute("SELECT x, y FROM predictions").fetchall()
    assert rows == [(4.0, pytest.approx(9.0))]


def test_predict_before_training_is_a_conflict(app_server):
    """Without a model the service answers 409 and stores nothing."""
    response = httpx.post(f"{app_server}/predict", json={"x": 1}, timeout=120)
    assert response.status_code == 409
    assert httpx.get(f"{app_server}/predictions", timeout=120).json() == []


def test_bad_training_data_is_refused(app_server):
    """One distinct x value is a 422."""
    response = httpx.post(f"{app_server}/train", json={"xs": [1, 1], "ys": [1, 2]}, timeout=120)
    assert response.status_code == 422


def test_retraining_makes_a_new_version(app_server):
    """A second /train gives version 2 and predictions use it."""
    httpx.post(f"{app_server}/train", json={"xs": [0, 1], "ys": [0, 1]}, timeout=120)
    second = httpx.post(f"{app_server}/train", json={"xs": [0, 1], "ys": [0, 3]}, timeout=120).json()
    assert second["version"] == 2
    assert httpx.post(f"{app_server}/predict", json={"x": 1}, timeout=120).json()["version"] == 2
