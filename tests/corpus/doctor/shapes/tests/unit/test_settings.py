"""Settings and config validation: SQLite URLs that are only compared or validated."""

import sqlite3

from sqlalchemy import create_engine

from mlpipe.settings import Settings, validate_config
from tests.helpers.settings import PrivateSettingsBuilder, SettingsBuilder


def test_database_url_is_kept():
    settings = Settings(database_url="sqlite:///test.db")
    assert settings.database_url == "sqlite:///test.db"


def test_config_dict_is_validated():
    config = {"database": {"url": "sqlite:///test.db"}, "workers": 2}
    assert validate_config(config) == []


def test_url_prefix_check():
    assert Settings(database_url="sqlite:///app.db").database_url.startswith("sqlite:///")


def test_builder_takes_the_fixture_uri(mlflow_tracking_uri):
    assert PrivateSettingsBuilder(tracking_uri=mlflow_tracking_uri).tracking_uri


def test_builder_default_store():
    assert SettingsBuilder().tracking_uri.startswith("file://")


def test_engine_on_a_shared_file():
    engine = create_engine("sqlite:///test.db")  # expect: shared-database
    engine.dispose()


def test_engine_in_tmp_path(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path}/test.db")
    engine.dispose()


def test_connect_in_the_working_directory():
    sqlite3.connect("features.db").close()  # expect: shared-database


def test_unreachable_tracking_server_is_an_error(monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:1")
    monkeypatch.setenv("MLFLOW_REGISTRY_URI", "http://localhost:9")


def test_tracking_server_every_test_shares(monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:5000")  # expect: shared-tracking-store
