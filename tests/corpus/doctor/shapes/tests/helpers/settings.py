"""Settings builders every test uses."""

import tempfile
from pathlib import Path

import mlflow

SHARED_STORE = f"file://{Path(tempfile.gettempdir()) / 'mlpipe-mlruns'}"  # expect: shared-tracking-store


class SettingsBuilder:
    """Builds the service settings; the default store is shared by every test that takes it."""

    def __init__(
        self,
        tracking_uri: str = f"file://{Path(tempfile.gettempdir()) / 'mlpipe_default'}",  # expect: shared-tracking-store
        database_url: str | None = None,
    ):
        self.tracking_uri = tracking_uri
        self.database_url = database_url


class PrivateSettingsBuilder:
    """The same, told its store by the test (from the mlflow_tracking_uri fixture)."""

    def __init__(self, tracking_uri: str | None = None):
        self.tracking_uri = tracking_uri


def use_store(uri):
    """Point the client at a store for the rest of the test... and of the worker."""
    mlflow.set_tracking_uri(uri)  # expect: global-state-without-restore


def use_experiment(name):
    """Same for the active experiment."""
    mlflow.set_experiment(name)  # expect: global-state-without-restore


def use_shared_store():
    """The module constant used as a tracking URI."""
    mlflow.set_tracking_uri(SHARED_STORE)


class use_store_for_block:
    """A context manager that restores the previous URI."""

    def __init__(self, uri):
        self.uri = uri

    def __enter__(self):
        self.previous = mlflow.get_tracking_uri()
        mlflow.set_tracking_uri(self.uri)
        return self

    def __exit__(self, *exc):
        mlflow.set_tracking_uri(self.previous)
        return False
