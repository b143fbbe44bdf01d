"""Shared fixtures of the pipeline suite, in the shapes it grew into."""

import os
import subprocess
from unittest import mock

import pytest
from filelock import FileLock

from mmpgate.stabilize.globalkill import sweep_if_enabled

os.environ["MLPIPE_ENV"] = "test"  # expect: env-without-restore


def pytest_configure(config):
    """Our own marker for tests that need the one MLflow server."""
    config.addinivalue_line("markers", "server: needs the shared MLflow server")  # expect: own-server-lock
    config.addinivalue_line("markers", "slow: takes more than a few seconds")


def pytest_sessionstart(session):
    """Kill MLflow servers of an earlier run, only when asked to."""
    if os.environ.get("MMP_ENABLE_GLOBAL_KILL"):
        subprocess.run(["pkill", "-f", "mlflow.server"], check=False)  # expect: guarded-global-kill


def pytest_sessionfinish(session, exitstatus):
    """The sanctioned sweep: opt-in, never in a worker, spares other runs."""
    sweep_if_enabled()


def _kill_stray_servers():
    subprocess.run(["pkill", "-f", "uvicorn.*mlpipe"], check=False)  # expect: guarded-global-kill


def pytest_unconfigure(config):
    """The same guard one call away."""
    if os.getenv("MLPIPE_KILL_STRAYS") == "1":
        _kill_stray_servers()


@pytest.fixture(autouse=True)
def offline_mode():
    """Every test runs offline."""
    os.environ["MLPIPE_OFFLINE"] = "1"  # expect: env-without-restore


@pytest.fixture
def region():
    """A region for the tests that ask."""
    os.environ.setdefault("MLPIPE_REGION", "eu")  # expect: env-without-restore
    return "eu"


@pytest.fixture
def patched_environment():
    """Variables set inside mock.patch.dict: the whole environment comes back afterwards."""
    with mock.patch.dict(os.environ):
        os.environ["MLPIPE_SANDBOX"] = "1"
        yield


@pytest.fixture(autouse=True)
def quiet(monkeypatch):
    """Quiet logs, restored after each test."""
    monkeypatch.setenv("MLPIPE_LOG_LEVEL", "WARNING")


@pytest.fixture
def feature_flag():
    """A flag set for one test and put back afterwards."""
    previous = os.environ.get("MLPIPE_FLAG")
    os.environ["MLPIPE_FLAG"] = "on"
    yield
    if previous is None:
        del os.environ["MLPIPE_FLAG"]
    else:
        os.environ["MLPIPE_FLAG"] = previous


@pytest.fixture(autouse=True)
def server_lock(request, tmp_path_factory):  # expect: own-server-lock
    """Serialize tests marked `server` across workers."""
    if request.node.get_closest_marker("server") is None:
        yield
        return
    with FileLock(tmp_path_factory.getbasetemp().parent / "server.lock"):
        yield


@pytest.fixture
def data_lock(tmp_path_factory):
    """A run-scoped lock for one shared data file: not tied to the `server` marker."""
    with FileLock(tmp_path_factory.getbasetemp().parent / "data.lock"):
        yield
