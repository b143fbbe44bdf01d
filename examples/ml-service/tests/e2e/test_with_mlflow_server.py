"""The service against a real `mlflow server`, both served by real processes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import mlflow
import pytest
from ml_service.settings import SettingsBuilder

from mmpgate.stabilize.factory import ServerFactory
from mmpgate.stabilize.mlflow_tracking import TrackingStore

SRC = Path(__file__).resolve().parents[2] / "src"

pytestmark = pytest.mark.server


@pytest.fixture
def stack(
    server_factory: ServerFactory, mlflow_tracking: TrackingStore, tmp_path: Path
) -> Iterator[tuple[str, httpx.Client]]:
    """An mlflow server on this test's (already migrated) store, and the service logging to it."""
    tracking = server_factory.mlflow(
        backend_store_uri=mlflow_tracking.tracking_uri, artifact_root=tmp_path / "server-artifacts"
    )
    builder = (
        SettingsBuilder()
        .with_database(tmp_path / "service.db")
        .with_tracking_uri(str(tracking.url))
    )
    service = server_factory.uvicorn(
        "ml_service.main:app", app_dir=SRC, health_path="/health", env=builder.env()
    )
    with httpx.Client(base_url=str(service.url), timeout=120) as client:
        yield str(tracking.url), client


def test_training_is_tracked_by_the_server(stack: tuple[str, httpx.Client]) -> None:
    """A run trained through the service is visible through the tracking server's REST API."""
    tracking_url, service = stack
    trained = service.post("/train", json={"xs": [0, 1, 2], "ys": [2, 4, 6]}).json()
    run = mlflow.MlflowClient(tracking_url).get_run(trained["run_id"])
    assert run.data.metrics["slope"] == pytest.approx(2.0)
    assert run.data.params["points"] == "3"


def test_predictions_follow_the_latest_model(stack: tuple[str, httpx.Client]) -> None:
    """Two trainings on the server give two runs; predictions use the second model."""
    tracking_url, service = stack
    service.post("/train", json={"xs": [0, 1], "ys": [0, 1]})
    service.post("/train", json={"xs": [0, 1], "ys": [1, 1]})
    assert service.post("/predict", json={"x": 5}).json() == {"version": 2, "y": 1.0}
    client = mlflow.MlflowClient(tracking_url)
    experiment = client.get_experiment_by_name("ml-service")
    assert experiment is not None
    assert len(client.search_runs([experiment.experiment_id])) == 2
