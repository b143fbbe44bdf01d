"""Shared fixtures for the ML service test suite."""

import os
import signal
import subprocess
import time

import pytest

from tests.utils.settings import SettingsBuilder

DEFAULT_TRACKING_URI = "sqlite:///tests/fixtures/databases/test_mlflow.db"  # expect: shared-tracking-store


def pytest_sessionstart(session):
    """Kill MLflow servers left over from an earlier run before anything starts."""
    subprocess.run(["pkill", "-f", "mlflow.server"], check=False)  # expect: global-kill
    subprocess.run(["pkill", "-f", "uvicorn.*mlflow"], check=False)  # expect: global-kill
    result = subprocess.run(["pgrep", "-f", "mlflow.server"], capture_output=True, text=True)  # expect: global-kill
    for pid in result.stdout.split():
        os.kill(int(pid), signal.SIGKILL)  # expect: global-kill


def pytest_sessionfinish(session, exitstatus):
    """Make sure no MLflow server survives the session."""
    subprocess.run(["pkill", "-f", "mlflow.server"], check=False)  # expect: global-kill
    os.system('pkill -f "uvicorn.*mlflow"')  # expect: global-kill


@pytest.fixture(autouse=True)
def cleanup_mlflow_processes():
    """Kill stray MLflow servers after every test."""
    yield
    subprocess.run(["pkill", "-f", "mlflow.server"], check=False)  # expect: global-kill
    subprocess.run("pkill -f 'uvicorn.*mlflow'", shell=True, check=False)  # expect: global-kill


@pytest.fixture(scope="session")
def mlflow_server():
    """An MLflow tracking server for the whole session."""
    process = subprocess.Popen(
        [
            "mlflow",
            "server",
            "--host",
            "127.0.0.1",
            "--port",  # expect: fixed-port
            "5000",
            "--backend-store-uri",
            DEFAULT_TRACKING_URI,
        ]
    )
    time.sleep(5)  # expect: sleep-after-start
    yield "http://127.0.0.1:5000"
    process.terminate()  # expect: terminate-top-only
    process.wait()


@pytest.fixture
def settings():
    """Application settings pointing at the test tracking store."""
    return SettingsBuilder().with_tracking_uri(DEFAULT_TRACKING_URI).build()
