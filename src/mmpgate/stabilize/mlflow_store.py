"""The machinery behind the `mlflow_tracking` fixture: stores, environment and client state.

mlflow is imported inside the functions that need it, never at module import.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from mmpgate.stabilize.mlflow_kinds import StoreKind

TEMPLATE_NAME = "template.db"
#: Variables that point mlflow somewhere: unset for the test unless its store sets them.
ENV_NAMES = (
    "MLFLOW_TRACKING_URI",
    "MLFLOW_REGISTRY_URI",
    "MLFLOW_EXPERIMENT_ID",
    "MLFLOW_EXPERIMENT_NAME",
)
#: A permission, not a location: kept as the user set it (a suite may still make its own file
#: stores next to the isolated one); a file store sets it to true for the test.
ALLOW_FILE_STORE = "MLFLOW_ALLOW_FILE_STORE"


@dataclass(frozen=True, slots=True)
class TrackingStore:
    """One test's isolated tracking store: what a test or a settings builder needs to reach it."""

    kind: StoreKind
    root: Path
    tracking_uri: str
    registry_uri: str
    artifact_location: str
    experiment_id: str
    experiment_name: str | None
    env: Mapping[str, str] = field(default_factory=dict)

    def artifact_location_for(self, name: str) -> str:
        """An artifact location inside this test's directory, for `create_experiment(name, ...)`."""
        return str(self.root / "artifacts" / name)


def import_mlflow() -> ModuleType | None:
    """mlflow, or None when it is not installed."""
    try:
        import mlflow
    except ImportError:
        return None
    return mlflow


def sqlite_uri(path: Path) -> str:
    """An SQLAlchemy SQLite URI for an absolute path (four slashes)."""
    return f"sqlite:///{path.resolve().as_posix()}"


def migrate_template(directory: Path) -> Path:
    """Create and migrate one SQLite tracking database in `directory`; the engine is disposed."""
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

    directory.mkdir(parents=True, exist_ok=True)
    db = directory / TEMPLATE_NAME
    store = SqlAlchemyStore(sqlite_uri(db), str(directory / "artifacts"))  # type: ignore[no-untyped-call]
    # A live engine keeps the file open and its pool alive: copies must see a closed database.
    store.engine.dispose()
    return db


def _point_default_experiment(db: Path, artifact_root: Path) -> None:
    import sqlite3  # here, not at import: the plugin module is loaded by every pytest run

    connection = sqlite3.connect(db)
    try:
        with connection:
            connection.execute(
                "UPDATE experiments SET artifact_location = ? WHERE experiment_id = 0",
                (str(artifact_root / "0"),),
            )
    finally:
        connection.close()


def sqlite_store(template: Path, root: Path) -> TrackingStore:
    """Copy the migrated template into `root`; the Default experiment's artifacts go to `root`."""
    root.mkdir(parents=True, exist_ok=True)
    artifacts = root / "artifacts"
    artifacts.mkdir(exist_ok=True)
    db = root / "mlflow.db"
    shutil.copy2(template, db)
    _point_default_experiment(db, artifacts)
    uri = sqlite_uri(db)
    return TrackingStore(
        kind=StoreKind.SQLITE,
        root=root,
        tracking_uri=uri,
        registry_uri=uri,
        artifact_location=str(artifacts / "0"),
        experiment_id="0",
        experiment_name=None,
        env={"MLFLOW_TRACKING_URI": uri, "MLFLOW_REGISTRY_URI": uri},
    )


def file_store(root: Path) -> TrackingStore:
    """A `file://<root>/mlruns` store; the file backend needs MLFLOW_ALLOW_FILE_STORE=true."""
    root.mkdir(parents=True, exist_ok=True)
    # Not created here: the file store makes the Default experiment only in a missing directory.
    uri = (root.resolve() / "mlruns").as_uri()
    return TrackingStore(
        kind=StoreKind.FILE,
        root=root,
        tracking_uri=uri,
        registry_uri=uri,
        artifact_location=f"{uri}/0",
        experiment_id="0",
        experiment_name=None,
        env={
            "MLFLOW_TRACKING_URI": uri,
            "MLFLOW_REGISTRY_URI": uri,
            ALLOW_FILE_STORE: "true",
        },
    )


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set `values`, unset the other location variables (ENV_NAMES), restore all afterwards.

    MLFLOW_ALLOW_FILE_STORE is never unset: only a file store's `values` change it.
    """
    saved = {name: os.environ.get(name) for name in (*ENV_NAMES, ALLOW_FILE_STORE, *values)}
    for name in ENV_NAMES:
        os.environ.pop(name, None)
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dataclass(slots=True)
class ClientState:
    """The process-wide state of mlflow's client that a test can change."""

    tracking_uri: str | None
    registry_uri: str | None
    experiment_id: str | None


def _modules() -> tuple[ModuleType, ModuleType, ModuleType]:
    # mlflow keeps these in module globals with no public reset; reading them is the only way
    # to put back exactly what was there before the test.
    from mlflow.tracking import fluent
    from mlflow.tracking._model_registry import utils as registry
    from mlflow.tracking._tracking_service import utils as tracking

    return tracking, registry, fluent


def capture_client_state() -> ClientState:
    """What `restore_client_state` puts back."""
    tracking, registry, fluent = _modules()
    return ClientState(
        tracking_uri=getattr(tracking, "_tracking_uri", None),
        registry_uri=getattr(registry, "_registry_uri", None),
        experiment_id=getattr(fluent, "_active_experiment_id", None),
    )


def point_client(store: TrackingStore) -> None:
    """Point an already imported mlflow at `store` (the environment covers later imports)."""
    import mlflow

    mlflow.set_tracking_uri(store.tracking_uri)
    mlflow.set_registry_uri(store.registry_uri)
    _, _, fluent = _modules()
    fluent._active_experiment_id = None  # type: ignore[attr-defined]


def end_leaked_runs() -> list[str]:
    """End every run still active in this thread (status KILLED); return their ids."""
    mlflow = sys.modules.get("mlflow")
    if mlflow is None:
        return []
    leaked: list[str] = []
    while (run := mlflow.active_run()) is not None:
        leaked.append(run.info.run_id)
        mlflow.end_run(status="KILLED")
    return leaked


def _cached_stores() -> list[tuple[object, object]]:
    """(cached lookup, store getter) of the tracking and registry store registries in use."""
    tracking, registry, _ = _modules()
    owners = [(tracking._tracking_store_registry, tracking._get_store)]
    if getattr(registry, "_model_registry_store_registry", None) is not None:
        owners.append((registry._model_registry_store_registry, registry._get_store))
    found: list[tuple[object, object]] = []
    for owner, getter in owners:
        cached = getattr(owner, "_get_store_with_resolved_uri", None)
        if cached is not None and hasattr(cached, "cache_clear"):
            found.append((cached, getter))
    return found


def release_store(store: TrackingStore) -> None:
    """Dispose the engines the client opened on `store`, then forget every cached store.

    A store left cached keeps its SQLite connections open until garbage collection, where they
    surface as unraisable ResourceWarnings in some later, innocent test.
    """
    for cached, getter in _cached_stores():
        if store.kind is StoreKind.SQLITE and cached.cache_info().currsize:  # type: ignore[attr-defined]
            engine = getattr(getter(store.tracking_uri), "engine", None)  # type: ignore[operator]
            if engine is not None:
                engine.dispose()
        cached.cache_clear()  # type: ignore[attr-defined]


def restore_client_state(state: ClientState) -> None:
    """Put mlflow's tracking/registry URIs and active experiment back as they were."""
    import mlflow

    _, registry, fluent = _modules()
    mlflow.set_tracking_uri(state.tracking_uri)  # type: ignore[arg-type]
    registry._registry_uri = state.registry_uri  # type: ignore[attr-defined]
    fluent._active_experiment_id = state.experiment_id  # type: ignore[attr-defined]
