"""Shared fixtures, written with mmpgate's stabilization fixtures."""

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from mmpgate.stabilize.processes import sweep
from tests.utils import SettingsBuilder


def pytest_sessionstart(session):
    """Opt-in sweep of servers an earlier run left behind, in the controller only."""
    if os.environ.get("MMP_ENABLE_GLOBAL_KILL") == "1" and not hasattr(session.config, "workerinput"):
        sweep([r"mlflow\.server", r"uvicorn.*mlflow"])


@pytest.fixture
def settings(mlflow_tracking_uri):
    """Application settings pointing at this test's own tracking store."""
    return SettingsBuilder(tracking_uri=mlflow_tracking_uri).build()


def _wait_ready(process, log, timeout=30.0):
    """The URL uvicorn reports once it listens; fail at once if the process exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {log.read_text()[-2000:]}")
        match = re.search(r"Uvicorn running on (http://\S+)", log.read_text())
        if match:
            return match[1]
        time.sleep(0.1)
    raise TimeoutError(f"server not ready after {timeout}s: {log.read_text()[-2000:]}")


@pytest.fixture(scope="session")
def api_server(tmp_path_factory):
    """The application in its own process group on a port the server picked itself."""
    log = tmp_path_factory.mktemp("api") / "server.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:app", "--port", "0"],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = _wait_ready(process, log)
    yield url
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
