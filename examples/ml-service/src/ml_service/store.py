"""SQLite storage of model versions and predictions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ml_service.model import Line

SCHEMA = """
CREATE TABLE IF NOT EXISTS models (
    version INTEGER PRIMARY KEY AUTOINCREMENT,
    slope REAL NOT NULL,
    intercept REAL NOT NULL,
    run_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS predictions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    version INTEGER NOT NULL REFERENCES models(version),
    x REAL NOT NULL,
    y REAL NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class Prediction:
    version: int
    x: float
    y: float


class Store:
    """One SQLite file; a connection per operation, so threads of the server never share one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with self._connect() as connection:
            connection.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(self.path, timeout=30)
        try:
            with connection:
                yield connection
        finally:
            connection.close()

    def add_model(self, line: Line, run_id: str) -> int:
        with self._connect() as connection:
            cursor = connection.execute(
                "INSERT INTO models (slope, intercept, run_id) VALUES (?, ?, ?)",
                (line.slope, line.intercept, run_id),
            )
            return int(cursor.lastrowid or 0)

    def latest_model(self) -> tuple[int, Line] | None:
        with self._connect() as connection:
            row = connection.execute(
                "SELECT version, slope, intercept FROM models ORDER BY version DESC LIMIT 1"
            ).fetchone()
        return None if row is None else (int(row[0]), Line(slope=row[1], intercept=row[2]))

    def add_prediction(self, prediction: Prediction) -> None:
        with self._connect() as connection:
            connection.execute(
                "INSERT INTO predictions (version, x, y) VALUES (?, ?, ?)",
                (prediction.version, prediction.x, prediction.y),
            )

    def predictions(self) -> list[Prediction]:
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT version, x, y FROM predictions ORDER BY id"
            ).fetchall()
        return [Prediction(version=row[0], x=row[1], y=row[2]) for row in rows]
