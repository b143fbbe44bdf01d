"""The store machinery behind mlflow_tracking: copies, URIs, environment, client state."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from mmpgate.stabilize import mlflow_store
from mmpgate.stabilize.mlflow_store import StoreKind

# mlflow 3.x's SQLAlchemy store configures a `noload` relationship at import; SQLAlchemy 2.1
# deprecates it. Not ours to fix: ignore exactly that warning, only in this module.
pytestmark = pytest.mark.filterwarnings(
    "ignore:The ``noload`` loader strategy is deprecated:sqlalchemy.exc.SADeprecationWarning"
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite tracking database for the module's tests."""
    return mlflow_store.migrate_template(tmp_path_factory.mktemp("template"))


def test_sqlite_uri_is_absolute_with_four_slashes(tmp_path: Path) -> None:
    """An absolute database path becomes sqlite:////abs/path."""
    assert mlflow_store.sqlite_uri(tmp_path / "x.db") == f"sqlite:///{tmp_path}/x.db"
    assert mlflow_store.sqlite_uri(tmp_path / "x.db").startswith("sqlite:////")


def test_sqlite_store_copies_the_template_and_moves_default_artifacts(
    template: Path, tmp_path: Path
) -> None:
    """The copy is a separate file whose Default experiment stores artifacts under the test dir."""
    store = mlflow_store.sqlite_store(template, tmp_path / "one")
    db = tmp_path / "one" / "mlflow.db"
    assert store.kind is StoreKind.SQLITE
    assert store.tracking_uri == store.registry_uri == mlflow_store.sqlite_uri(db)
    assert store.env == {
        "MLFLOW_TRACKING_URI": store.tracking_uri,
        "MLFLOW_REGISTRY_URI": store.tracking_uri,
    }
    rows = sqlite3.connect(db).execute("SELECT artifact_location FROM experiments").fetchall()
    assert rows == [(str(tmp_path / "one" / "artifacts" / "0"),)]
    untouched = (
        sqlite3.connect(template).execute("SELECT artifact_location FROM experiments").fetchall()
    )
    assert untouched == [(str(template.parent / "artifacts" / "0"),)]


def test_file_store_needs_allow_file_store(tmp_path: Path) -> None:
    """The file store's environment carries MLFLOW_ALLOW_FILE_STORE=true and leaves mlruns to mlflow."""
    store = mlflow_store.file_store(tmp_path)
    assert store.kind is StoreKind.FILE
    assert store.tracking_uri == (tmp_path / "mlruns").as_uri()
    assert store.env["MLFLOW_ALLOW_FILE_STORE"] == "true"
    assert not (tmp_path / "mlruns").exists()


def test_environment_sets_clears_and_restores(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inside: the given values and no other MLFLOW_* variable; outside: exactly the old values."""
    monkeypatch.setenv("MLFLOW_EXPERIMENT_NAME", "outer")
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    with mlflow_store.environment({"MLFLOW_TRACKING_URI": "sqlite:///inner.db"}):
        assert os.environ["MLFLOW_TRACKING_URI"] == "sqlite:///inner.db"
        assert "MLFLOW_EXPERIMENT_NAME" not in os.environ
        os.environ["MLFLOW_EXPERIMENT_ID"] = "7"
    assert os.environ["MLFLOW_EXPERIMENT_NAME"] == "outer"
    assert "MLFLOW_TRACKING_URI" not in os.environ
    assert "MLFLOW_EXPERIMENT_ID" not in os.environ


def test_leaked_runs_are_ended_and_client_state_restored(template: Path, tmp_path: Path) -> None:
    """end_leaked_runs ends every nested active run; restore puts back the previous URIs."""
    import mlflow

    store = mlflow_store.sqlite_store(template, tmp_path / "s")
    saved = mlflow_store.capture_client_state()
    with mlflow_store.environment(store.env):
        mlflow_store.point_client(store)
        outer = mlflow.start_run()
        inner = mlflow.start_run(nested=True)
        assert mlflow_store.end_leaked_runs() == [inner.info.run_id, outer.info.run_id]
        assert mlflow.active_run() is None
        assert mlflow.get_run(outer.info.run_id).info.status == "KILLED"
        mlflow_store.release_store(store)
        mlflow_store.restore_client_state(saved)
    assert mlflow_store.capture_client_state() == saved
    assert mlflow_store.end_leaked_runs() == []
