"""MLflow tests with an isolated store per test and servers from mmpgate's lifecycle fixture."""

import mlflow
import pytest
import requests


def test_run_is_logged(mlflow_tracking_uri, settings):
    mlflow.set_tracking_uri(mlflow_tracking_uri)
    with mlflow.start_run():
        mlflow.log_metric("accuracy", 0.9)
    assert settings.tracking_uri == mlflow_tracking_uri


@pytest.fixture(scope="module")
def shared_tracking_server(module_server_factory, tmp_path_factory):
    """One MLflow server for this module, stopped (whole process group) after its last test."""
    store = tmp_path_factory.mktemp("mlflow") / "mlflow.db"
    return module_server_factory.mlflow(backend_store_uri=f"sqlite:///{store}")


@pytest.mark.server
def test_tracking_server_answers(server_factory, mlflow_tracking):
    server = server_factory.mlflow(backend_store_uri=mlflow_tracking.tracking_uri)
    assert requests.get(f"{server.url}/health", timeout=5).text == "OK"


@pytest.mark.server
def test_shared_server_lists_experiments(shared_tracking_server):
    url = f"{shared_tracking_server.url}/api/2.0/mlflow/experiments/search"
    assert requests.get(url, params={"max_results": 1}, timeout=5).ok
