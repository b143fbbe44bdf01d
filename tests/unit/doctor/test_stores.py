"""Rules `shared-tracking-store` and `shared-database`: stores at fixed literal locations."""

from __future__ import annotations

import pytest

POSITIVE = {
    "set-tracking-uri": """
        import mlflow
        mlflow.set_tracking_uri("sqlite:///mlflow.db")  # expect: shared-tracking-store
    """,
    "env-assignment": """
        import os
        os.environ["MLFLOW_TRACKING_URI"] = "http://127.0.0.1:5000"  # expect: shared-tracking-store, env-without-restore
    """,
    "monkeypatch-setenv": """
        def test_x(monkeypatch):
            monkeypatch.setenv("MLFLOW_TRACKING_URI", "file:./mlruns")  # expect: shared-tracking-store
    """,
    "env-dict": """
        ENV = {"MLFLOW_REGISTRY_URI": "sqlite:////tmp/registry.db"}  # expect: shared-tracking-store
    """,
    "keyword-argument": """
        from mlflow import MlflowClient
        client = MlflowClient(tracking_uri="sqlite:///tests/mlflow.db")  # expect: shared-tracking-store
    """,
    "constant-through-a-name": """
        import mlflow
        STORE = "sqlite:///shared.db"  # expect: shared-tracking-store
        def setup():
            mlflow.set_tracking_uri(STORE)
    """,
    "default-parameter": """
        class SettingsBuilder:
            def __init__(self, tracking_uri="sqlite:///tests/fixtures/test_mlflow.db"):  # expect: shared-tracking-store
                self.tracking_uri = tracking_uri
    """,
    "keyword-only-default": """
        def build(*, registry_uri="sqlite:///registry.db"):  # expect: shared-tracking-store
            return registry_uri
    """,
    "class-attribute": """
        class Config:
            TRACKING_URI = "sqlite:///tests/fixtures/databases/test_mlflow.db"  # expect: shared-tracking-store
    """,
    "server-backend-store": """
        CMD = ["mlflow", "server", "--backend-store-uri", "sqlite:///mlflow.db"]  # expect: shared-tracking-store
    """,
    "getenv-default": """
        import os
        URI = os.getenv("MLFLOW_TRACKING_URI", "sqlite:///mlflow.db")  # expect: shared-tracking-store
    """,
    "sqlalchemy-url": """
        from sqlalchemy import create_engine
        engine = create_engine("sqlite:///tests/app.db")  # expect: shared-database
    """,
    "sqlalchemy-driver-url-constant": """
        from sqlalchemy.ext.asyncio import create_async_engine
        DATABASE_URL = "sqlite+aiosqlite:///./test.db"  # expect: shared-database
        engine = create_async_engine(DATABASE_URL)
    """,
    "sqlite3-connect": """
        import sqlite3
        connection = sqlite3.connect("tests/fixtures/app.db")  # expect: shared-database
    """,
    "sqlite3-connect-through-a-name": """
        import sqlite3
        DB_PATH = "/tmp/app.db"  # expect: shared-database
        def connect():
            return sqlite3.connect(DB_PATH)
    """,
}

NEGATIVE = {
    "tmp-path-uri": """
        from mlflow import MlflowClient
        def test_x(tmp_path):
            MlflowClient(f"sqlite:///{tmp_path}/mlflow.db")
    """,
    "fixture-uri": """
        class SettingsBuilder:
            def __init__(self, tracking_uri):
                self.tracking_uri = tracking_uri
        def test_x(mlflow_tracking_uri):
            SettingsBuilder(tracking_uri=mlflow_tracking_uri)
    """,
    "in-memory": """
        import sqlite3
        from sqlalchemy import create_engine
        sqlite3.connect(":memory:")
        sqlite3.connect("file::memory:?cache=shared", uri=True)
        create_engine("sqlite://")
        create_engine("sqlite:///:memory:")
    """,
    "tmp-path-database": """
        import sqlite3
        def test_x(tmp_path):
            sqlite3.connect(tmp_path / "app.db")
            sqlite3.connect(str(tmp_path_factory.mktemp("db") / "app.db"))
    """,
    "url-inside-a-text": """
        DOC = '''Never use sqlite:///tests/app.db as a tracking URI.'''
    """,
    "env-read-without-default": """
        import os
        URI = os.environ["MLFLOW_TRACKING_URI"]
    """,
    "empty-placeholder": """
        class Settings:
            tracking_uri: str = ""
    """,
}


@pytest.mark.parametrize("source", POSITIVE.values(), ids=POSITIVE.keys())
def test_fixed_store_found(check_snippet, source):
    """A fixed tracking URI or SQLite location is reported once, at the literal."""
    check_snippet(source)


@pytest.mark.parametrize("source", NEGATIVE.values(), ids=NEGATIVE.keys())
def test_private_store_not_reported(check_snippet, source):
    """URIs from tmp paths, fixtures or in-memory databases are not reported."""
    check_snippet(source)
