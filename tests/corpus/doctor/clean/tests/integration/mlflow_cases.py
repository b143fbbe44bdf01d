"""MLflow tests with an isolated store per test and servers from mmpgate's lifecycle fixture."""

import mlflow
import pytest
import requests


def test_run_is_logged(mlflow_tracking_uri, settings):
    mlflow.set_tracking_uri(mlflow_tracking_uri)
    with mlflow.start_run():
        mlflow.log_metric("accuracy", 0.9)
    assert settings.tracking_uri == mlflow_tracking_uri


@pytest.mark.server
def test_tracking_server_answers(mmpgate_server, mlflow_tracking):
    server = mmpgate_server.mlflow(backend_store_uri=mlflow_tracking.tracking_uri)
    assert requests.get(f"{server.url}/health", timeout=5).text == "OK"
