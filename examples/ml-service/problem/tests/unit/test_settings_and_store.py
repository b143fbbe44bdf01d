"""Settings from the environment and the builder; the SQLite store on a real file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from ml_service.model import Line
from ml_service.settings import Settings, SettingsBuilder
from ml_service.store import Prediction, Store



def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """ML_SERVICE_DB and MLFLOW_TRACKING_URI configure the service."""
    monkeypatch.setenv("ML_SERVICE_DB", str(tmp_path / "a.db"))
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:///x.db")
    assert Settings.from_env() == Settings(
        database=tmp_path / "a.db", tracking_uri="sqlite:///x.db"
    )


def test_builder_overrides_and_exports_env(tmp_path: Path) -> None:
    """The builder's env() round-trips through Settings.from_env in a server process."""
    builder = SettingsBuilder().with_database(tmp_path / "b.db").with_tracking_uri("http://h:1")
    built = builder.with_experiment("exp").build()
    assert built == Settings(
        database=tmp_path / "b.db", tracking_uri="http://h:1", experiment="exp"
    )
    assert builder.env() == {
        "ML_SERVICE_DB": str(tmp_path / "b.db"),
        "MLFLOW_TRACKING_URI": "http://h:1",
        "ML_SERVICE_EXPERIMENT": "exp",
    }


def test_store_keeps_models_and_predictions(tmp_path: Path) -> None:
    """Models get increasing versions; predictions are read back in order from the file."""
    store = Store(tmp_path / "s.db")
    assert store.latest_model() is None
    first = store.add_model(Line(1.0, 0.0), "run-a")
    second = store.add_model(Line(2.0, 1.0), "run-b")
    assert (first, second) == (1, 2)
    assert store.latest_model() == (2, Line(2.0, 1.0))
    store.add_prediction(Prediction(version=2, x=3.0, y=7.0))
    assert store.predictions() == [Prediction(version=2, x=3.0, y=7.0)]
    rows = sqlite3.connect(tmp_path / "s.db").execute("SELECT run_id FROM models").fetchall()
    assert rows == [("run-a",), ("run-b",)]
