"""The original plan's conftest: global pkill, one shared tracking file, terminate() only.

SAFETY: every kill pattern carries PROBLEM_TOKEN, a token that only this copy's own servers
carry in their command line, so the pkill reaches this run's servers on every worker (the
cross-worker killing being reproduced) and nothing else on the machine.
"""

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT.parent / "src"
# Set once in the controller before xdist starts its workers, which inherit it.
PROBLEM_TOKEN = os.environ.setdefault("MLSERVICE_PROBLEM_TOKEN", f"mlsp-{uuid.uuid4().hex}")
MARK = f"x-mlflow-problem:{PROBLEM_TOKEN}"
KILL_PATTERNS = (
    f"mlflow.server.*{PROBLEM_TOKEN}",
    f"uvicorn.*mlflow.*{PROBLEM_TOKEN}",
    f"uvicorn.*{PROBLEM_TOKEN}.*mlflow",
)
SHARED_DB = ROOT / "tests" / "fixtures" / "databases" / "test_mlflow.db"
TRACKING_URI = "sqlite:///tests/fixtures/databases/test_mlflow.db"


def kill_servers():
    for pattern in KILL_PATTERNS:
        subprocess.run(["pkill", "-f", pattern], check=False)


def pytest_sessionstart(session):
    kill_servers()
    SHARED_DB.parent.mkdir(parents=True, exist_ok=True)
    os.chdir(ROOT)  # the relative sqlite:/// URI is relative to the project root


def pytest_sessionfinish(session, exitstatus):
    kill_servers()


@pytest.fixture(autouse=True)
def _kill_stray_servers():
    kill_servers()
    yield


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url, process, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"server not up after {timeout}s")


def start_app(env_overrides):
    port = free_port()
    env = {**os.environ, **env_overrides}
    command = [sys.executable, "-m", "uvicorn", "ml_service.main:app", "--app-dir", str(SRC),
               "--host", "127.0.0.1", "--port", str(port), "--header", MARK]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_until_up(f"{url}/health", process)
    return process, url


def start_mlflow_server(artifact_root):
    port = free_port()
    command = [sys.executable, "-m", "mlflow", "server", "--host", "127.0.0.1", "--port", str(port),
               "--workers", "1", "--backend-store-uri", TRACKING_URI,
               "--default-artifact-root", str(artifact_root), "--uvicorn-opts", f"--header {MARK}"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_until_up(f"{url}/health", process)
    return process, url


@pytest.fixture
def tracking_uri():
    return TRACKING_URI


@pytest.fixture
def app_server(tmp_path, tracking_uri):
    process, url = start_app(
        {"ML_SERVICE_DB": str(tmp_path / "service.db"), "MLFLOW_TRACKING_URI": tracking_uri}
    )
    yield url
    process.terminate()
    process.wait()


@pytest.fixture
def mlflow_server(tmp_path):
    process, url = start_mlflow_server(ROOT / "tests" / "fixtures" / "artifacts")
    yield url
    process.terminate()
    process.wait()
