"""History backends for the tests: a SQLite file and a real PostgreSQL server, same tests."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pgserver
import pytest


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The admin URL of a running PostgreSQL server (.ci/run's, or one started here)."""
    given = os.environ.get(pgserver.ENV_URL)
    if given:
        yield given
        return
    server = pgserver.Server()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def store_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty history: a SQLite path, or a new database on the PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "mmpgate-history.sqlite")
    admin = request.getfixturevalue("postgres_url")
    return pgserver.fresh_database(admin, f"mmpgate_{uuid.uuid4().hex[:12]}")
