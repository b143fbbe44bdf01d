"""Fixtures of the MLflow store unit tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmpgate.stabilize import mlflow_store

# mlflow 3.x's SQLAlchemy store configures a `noload` relationship at import; SQLAlchemy 2.1
# deprecates it. Not ours to fix: ignore exactly that warning, only in this directory.
SQLALCHEMY_NOLOAD = (
    "ignore:The ``noload`` loader strategy is deprecated:sqlalchemy.exc.SADeprecationWarning"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.filterwarnings(SQLALCHEMY_NOLOAD))


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite tracking database for the module's tests."""
    return mlflow_store.migrate_template(tmp_path_factory.mktemp("template"))
