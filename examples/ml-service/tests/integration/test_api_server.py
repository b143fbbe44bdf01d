"""The API served by real uvicorn (one server at a time across workers: @pytest.mark.server)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import mlflow
import pytest
from ml_service.settings import SettingsBuilder

from mmpgate.stabilize.factory import ServerFactory

SRC = Path(__file__).resolve().parents[2] / "src"

pytestmark = pytest.mark.server


@pytest.fixture
def service(
    server_factory: ServerFactory, tmp_path: Path, mlflow_tracking_uri: str
) -> Iterator[httpx.Client]:
    """The service on a free port, with its own SQLite file and this test's MLflow store."""
    builder = (
        SettingsBuilder()
        .with_database(tmp_path / "service.db")
        .with_tracking_uri(mlflow_tracking_uri)
    )
    server = server_factory.uvicorn(
        "ml_service.main:app", app_dir=SRC, health_path="/health", env=builder.env()
    )
    # Generous timeout: the first /train opens the MLflow store, slow on a busy machine.
    with httpx.Client(base_url=str(server.url), timeout=120) as client:
        yield client


def test_train_then_predict_over_http(service: httpx.Client, tmp_path: Path) -> None:
    """A trained model answers over HTTP; the run is in MLflow and the prediction on disk."""
    trained = service.post("/train", json={"xs": [0, 1, 2], "ys": [1, 3, 5]}).json()
    answer = service.post("/predict", json={"x": 4}).json()
    assert answer == {"version": 1, "y": pytest.approx(9.0)}
    run = mlflow.get_run(trained["run_id"])
    assert run.data.metrics["slope"] == pytest.approx(2.0)
    rows = (
        sqlite3.connect(tmp_path / "service.db").execute("SELECT x, y FROM predictions").fetchall()
    )
    assert rows == [(4.0, pytest.approx(9.0))]


def test_predict_before_training_is_a_conflict(service: httpx.Client) -> None:
    """Without a model the service answers 409 and stores nothing."""
    response = service.post("/predict", json={"x": 1})
    assert response.status_code == 409
    assert service.get("/predictions").json() == []


def test_bad_training_data_is_refused(service: httpx.Client) -> None:
    """One distinct x value is a 422 and logs no run."""
    response = service.post("/train", json={"xs": [1, 1], "ys": [1, 2]})
    assert response.status_code == 422
    assert mlflow.search_runs(search_all_experiments=True, output_format="list") == []


def test_retraining_makes_a_new_version(service: httpx.Client) -> None:
    """A second /train gives version 2 and predictions use it."""
    service.post("/train", json={"xs": [0, 1], "ys": [0, 1]})
    second = service.post("/train", json={"xs": [0, 1], "ys": [0, 3]}).json()
    assert second["version"] == 2
    assert service.post("/predict", json={"x": 1}).json()["version"] == 2
    runs = mlflow.search_runs(experiment_names=["ml-service"], output_format="list")
    assert len(runs) == 2
