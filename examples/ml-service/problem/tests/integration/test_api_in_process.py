"""The API in process against the shared tracking file."""

from pathlib import Path

import mlflow
import pytest
from fastapi.testclient import TestClient

from ml_service.app import create_app
from ml_service.settings import SettingsBuilder

DATASETS = [([0.0, 1.0, 2.0], [k, k + 2.0, k + 4.0]) for k in range(10)]


@pytest.mark.parametrize(("xs", "ys"), DATASETS)
def test_train_logs_a_run_and_predict_stores_the_result(xs, ys, tmp_path: Path, tracking_uri):
    """/train logs a run to the shared store; /predict answers and is persisted."""
    settings = SettingsBuilder().with_database(tmp_path / "service.db").with_tracking_uri(tracking_uri).build()
    with TestClient(create_app(settings)) as client:
        trained = client.post("/train", json={"xs": xs, "ys": ys}).json()
        answer = client.post("/predict", json={"x": 10.0}).json()
        listed = client.get("/predictions").json()
    assert trained["slope"] == pytest.approx(2.0)
    assert answer == {"version": 1, "y": pytest.approx(20.0 + ys[0])}
    assert listed == [{"version": 1, "x": 10.0, "y": pytest.approx(20.0 + ys[0])}]
    run = mlflow.MlflowClient(tracking_uri).get_run(trained["run_id"])
    assert run.data.metrics["mse"] == pytest.approx(0.0)
