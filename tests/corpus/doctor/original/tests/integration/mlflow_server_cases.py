"""Integration tests against a real MLflow server (named so pytest never collects this corpus)."""

import sqlite3
import threading
import time

import pytest
import requests
import uvicorn

from app.main import app
from tests.utils.mlflow_context import MLflowTestContext


@pytest.fixture(scope="module")
def api_server():
    """The application served by uvicorn for the whole module."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=8000))  # expect: fixed-port
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    time.sleep(2)  # expect: sleep-after-start
    yield "http://127.0.0.1:8000"
    server.should_exit = True
    thread.join()


@pytest.fixture
def client(api_server):
    """An HTTP session bound to the module's server."""
    with requests.Session() as session:
        session.base_url = api_server
        yield session


def test_server_is_healthy(mlflow_server):  # expect: unmarked-server-fixture
    assert requests.get(f"{mlflow_server}/health", timeout=5).text == "OK"


def test_predict_logs_a_run(client):  # expect: unmarked-server-fixture
    assert client.post("http://127.0.0.1:8000/predict", json={"x": 1}).status_code == 200


@pytest.mark.server
def test_experiments_listed(mlflow_server):
    assert requests.get(f"{mlflow_server}/api/2.0/mlflow/experiments/search", timeout=5).ok


def test_context_logs_metrics():
    with MLflowTestContext():
        connection = sqlite3.connect("tests/fixtures/databases/test_mlflow.db")  # expect: shared-database
        assert connection.execute("select count(*) from runs").fetchone()[0] >= 0
