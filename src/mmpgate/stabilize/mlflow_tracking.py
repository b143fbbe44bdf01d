"""pytest fixtures giving each test an isolated MLflow tracking store.

`mlflow_tracking` gives the test its own store (a copy of an SQLite database migrated once per
worker, or a `file://` store), artifacts in the test's tmp dir, the MLFLOW_* variables set and
restored, and fails the test that leaves a run active. The ini option `mmpgate_mlflow_autouse`
applies it to every test except those marked `no_mlflow_tracking`.

Kept cheap to import: mlflow is imported inside the fixtures only.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from mmpgate.stabilize.mlflow_kinds import MISSING_REASON, StoreKind

if TYPE_CHECKING:
    from mmpgate.stabilize.mlflow_store import ClientState, TrackingStore

__all__ = ["StoreKind", "TrackingStore"]


def __getattr__(name: str) -> Any:
    # TrackingStore's module is imported when a store is made, not by every run that loads this.
    if name == "TrackingStore":
        from mmpgate.stabilize.mlflow_store import TrackingStore

        return TrackingStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


AUTOUSE_PLUGIN_NAME = "mmpgate-mlflow-autouse"


def _store_kind(value: str) -> StoreKind:
    try:
        return StoreKind(value)
    except ValueError:
        choices = ", ".join(kind.value for kind in StoreKind)
        raise pytest.UsageError(
            f"mmpgate_mlflow_store: expected one of {choices}, got {value!r}"
        ) from None


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mmpgate-mlflow", "mmpgate isolated MLflow tracking")
    group.addoption(
        "--mmpgate-mlflow-store",
        choices=[kind.value for kind in StoreKind],
        default=None,
        help="backend of each test's tracking store: sqlite (default) or file "
        "(ini: mmpgate_mlflow_store).",
    )
    parser.addini(
        "mmpgate_mlflow_store",
        "backend of each test's MLflow store: sqlite or file",
        default="sqlite",
    )
    parser.addini(
        "mmpgate_mlflow_autouse",
        "give every test an isolated MLflow store (opt out with @pytest.mark.no_mlflow_tracking)",
        type="bool",
        default=False,
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "mlflow_tracking(store=None, experiment=None): options of the test's isolated MLflow "
        "store: backend 'sqlite' or 'file', and an experiment to create and make active.",
    )
    config.addinivalue_line(
        "markers",
        "no_mlflow_tracking: no isolated MLflow store for this test even when "
        "mmpgate_mlflow_autouse is on.",
    )
    _store_kind(_configured_kind(config))  # a bad ini value is a usage error at start, not per test
    if config.getini("mmpgate_mlflow_autouse"):
        if not _mlflow_installed():
            # Every test would skip: a whole suite silently not run. Say so once, at start.
            raise pytest.UsageError(f"mmpgate_mlflow_autouse = true, but {MISSING_REASON}")
        config.pluginmanager.register(_AutousePlugin(), AUTOUSE_PLUGIN_NAME)


def _mlflow_installed() -> bool:
    """Whether mlflow can be imported, without importing it (which takes seconds)."""
    import importlib.util

    try:
        return importlib.util.find_spec("mlflow") is not None
    except ImportError:
        return False


def _configured_kind(config: pytest.Config) -> str:
    option = config.getoption("mmpgate_mlflow_store")
    return str(option or config.getini("mmpgate_mlflow_store") or StoreKind.SQLITE.value)


class _AutousePlugin:
    """Registered only when `mmpgate_mlflow_autouse` is on, so other runs pay nothing per test."""

    @pytest.fixture(autouse=True)
    def _mmpgate_mlflow_autouse(self, request: pytest.FixtureRequest) -> None:
        if request.node.get_closest_marker("no_mlflow_tracking") is None:
            request.getfixturevalue("mlflow_tracking")


@pytest.fixture(scope="session")
def mmpgate_mlflow_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite tracking database migrated once per worker; each test gets a copy."""
    from mmpgate.stabilize import mlflow_store

    if mlflow_store.import_mlflow() is None:
        pytest.skip(MISSING_REASON)
    return mlflow_store.migrate_template(tmp_path_factory.mktemp("mlflow-template"))


def _marker_options(request: pytest.FixtureRequest) -> tuple[str | None, str | None]:
    marker = request.node.get_closest_marker("mlflow_tracking")
    if marker is None:
        return None, None
    unknown = set(marker.kwargs) - {"store", "experiment"}
    if marker.args or unknown:
        raise pytest.UsageError(
            f"{request.node.nodeid}: mlflow_tracking takes only store= and experiment= keywords"
        )
    return marker.kwargs.get("store"), marker.kwargs.get("experiment")


def _create_experiment(store: TrackingStore, name: str) -> TrackingStore:
    from mlflow import MlflowClient

    from mmpgate.stabilize.mlflow_store import TrackingStore

    experiment_id = MlflowClient(store.tracking_uri).create_experiment(
        name, artifact_location=store.artifact_location_for(name)
    )
    env = {**store.env, "MLFLOW_EXPERIMENT_ID": experiment_id, "MLFLOW_EXPERIMENT_NAME": name}
    return TrackingStore(
        kind=store.kind,
        root=store.root,
        tracking_uri=store.tracking_uri,
        registry_uri=store.registry_uri,
        artifact_location=store.artifact_location_for(name),
        experiment_id=experiment_id,
        experiment_name=name,
        env=env,
    )


@pytest.fixture
def mlflow_tracking(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TrackingStore]:
    """This test's own MLflow tracking store; see TrackingStore for what it offers."""
    from mmpgate.stabilize import mlflow_store

    if mlflow_store.import_mlflow() is None:
        pytest.skip(MISSING_REASON)
    store_option, experiment = _marker_options(request)
    kind = _store_kind(store_option or _configured_kind(request.config))
    root = tmp_path / "mlflow"
    if kind is StoreKind.SQLITE:
        template: Path = request.getfixturevalue("mmpgate_mlflow_template")
        store = mlflow_store.sqlite_store(template, root)
    else:
        store = mlflow_store.file_store(root)
    saved = mlflow_store.capture_client_state()
    with mlflow_store.environment(store.env):
        if experiment is not None:
            store = _create_experiment(store, str(experiment))
            with mlflow_store.environment(store.env):
                yield from _tracked(store, saved, request.node.nodeid)
        else:
            yield from _tracked(store, saved, request.node.nodeid)


def _tracked(store: TrackingStore, saved: ClientState, nodeid: str) -> Iterator[TrackingStore]:
    from mmpgate.stabilize import mlflow_store

    mlflow_store.point_client(store)
    try:
        yield store
    finally:
        leaked = mlflow_store.end_leaked_runs()
        mlflow_store.release_store(store)
        mlflow_store.restore_client_state(saved)
    if leaked:
        pytest.fail(
            f"{nodeid} left MLflow run(s) {', '.join(leaked)} active: end them "
            "(`with mlflow.start_run():` or `mlflow.end_run()`); they were ended as KILLED",
            pytrace=False,
        )


@pytest.fixture
def mlflow_tracking_uri(mlflow_tracking: TrackingStore) -> str:
    """The tracking URI of this test's isolated store, for settings builders and servers."""
    return mlflow_tracking.tracking_uri
