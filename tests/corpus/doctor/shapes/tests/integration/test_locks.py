"""Cross-process locks the suite built itself around its one MLflow server."""

import fcntl
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest

LOCK_DIR = Path(tempfile.gettempdir()) / "mlpipe-mlflow.lock"
LOCK_FILE = os.path.join(tempfile.gettempdir(), "mlpipe-registry.lock")


@pytest.fixture(scope="session")
def mlflow_server_lock():
    """Hold a directory lock while the session's server runs."""
    deadline = time.time() + 300
    while True:
        try:
            os.mkdir(LOCK_DIR)  # expect: home-made-lock
            break
        except FileExistsError:
            if time.time() > deadline:
                pytest.skip("MLflow server lock busy")
            time.sleep(1)
    yield
    shutil.rmtree(LOCK_DIR, ignore_errors=True)


def acquire_registry_lock():
    """An exclusive-create sentinel, retried."""
    for _ in range(300):
        try:
            return os.open(LOCK_FILE, os.O_CREAT | os.O_EXCL | os.O_WRONLY)  # expect: home-made-lock
        except FileExistsError:
            time.sleep(1)
    raise TimeoutError(LOCK_FILE)


@pytest.fixture(scope="module")
def feature_store_lock():
    """An flock held for the module."""
    with open("/tmp/mlpipe-features.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # expect: home-made-lock
        yield


@pytest.fixture
def private_lock(tmp_path):
    """A lock file in this test's own directory: locks nothing shared, no finding."""
    with open(tmp_path / "lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def test_cache_dir_is_created_once(tmp_path):
    cache = tmp_path / "cache"
    for _ in range(3):
        cache.mkdir(exist_ok=True)
        time.sleep(0)
