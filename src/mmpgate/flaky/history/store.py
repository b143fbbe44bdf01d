"""The store interface, its versioned schema (migrations), and `open_store` by path or URL."""

from __future__ import annotations

import abc
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path

from mmpgate.errors import InputError, located
from mmpgate.flaky.history import stats
from mmpgate.flaky.history.model import (
    DEFAULT_DEFINITIONS,
    Definitions,
    NewRun,
    Observation,
    Rates,
    ResultRecord,
    RunInfo,
)

#: The schema, one tuple of statements per version; a store at version N applies N+1.. in order,
#: in one transaction, under a lock, so two first writers at once migrate once. `{serial}` is the
#: backend's auto-numbered integer key.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        "CREATE TABLE runs (id {serial} PRIMARY KEY, run_key TEXT NOT NULL UNIQUE, "
        "commit_sha TEXT, branch TEXT, recorded_at TEXT NOT NULL, tests INTEGER NOT NULL)",
        "CREATE TABLE tests (id {serial} PRIMARY KEY, grp TEXT NOT NULL, nodeid TEXT NOT NULL, "
        "UNIQUE (grp, nodeid))",
        "CREATE TABLE results (run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE, "
        "test_id INTEGER NOT NULL REFERENCES tests (id), status SMALLINT NOT NULL, "
        "attempts SMALLINT NOT NULL, passed_attempts SMALLINT NOT NULL, duration REAL NOT NULL, "
        "PRIMARY KEY (test_id, run_id))",
    ),
    # 2: windowed reads of every test and retention delete by run, without a full scan.
    ("CREATE INDEX results_by_run ON results (run_id)",),
)
SCHEMA_VERSION = len(MIGRATIONS)
TestKey = tuple[str, str]


class HistoryStore(abc.ABC):
    """A run history. Implementations: `SqliteStore` (a file), `PostgresStore` (a server URL)."""

    source: str

    @abc.abstractmethod
    def add_run(self, run: NewRun, records: Iterable[ResultRecord]) -> RunInfo:
        """Record one run and its tests atomically; a run key already recorded is an InputError."""

    @abc.abstractmethod
    def recent_runs(self, n: int) -> list[RunInfo]:
        """The last `n` recorded runs, newest first."""

    @abc.abstractmethod
    def observations(
        self, since_run: int, tests: Collection[TestKey] | None = None
    ) -> Mapping[TestKey, Sequence[Observation]]:
        """Statuses of runs with id >= since_run, oldest first, of `tests` (None: every test)."""

    @abc.abstractmethod
    def prune(self, keep_runs: int) -> int:
        """Keep the newest `keep_runs` runs; return how many runs were deleted."""

    @abc.abstractmethod
    def schema_version(self) -> int:
        """The schema version of the store."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the connection."""

    def test_stats(
        self,
        definitions: Definitions = DEFAULT_DEFINITIONS,
        tests: Collection[TestKey] | None = None,
    ) -> list[Rates]:
        """Rates and flaky definitions per test over the last `definitions.last` runs."""
        runs = self.recent_runs(definitions.last)
        if not runs:
            return []
        return stats.compute(self.observations(runs[-1].id, tests), definitions)

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def is_url(target: str) -> bool:
    """Whether `target` names a PostgreSQL server rather than a SQLite file."""
    return target.startswith(("postgresql://", "postgres://"))


def open_store(target: str | Path, *, create: bool = True) -> HistoryStore:
    """A SQLite file (created, unless `create` is False) or a postgresql:// URL; migrated."""
    text = str(target)
    if is_url(text):
        from mmpgate.flaky.history.postgres import PostgresStore

        return PostgresStore(text)
    from mmpgate.flaky.history.sqlite import SqliteStore

    return SqliteStore(Path(text), create=create)


def redact(url: str) -> str:
    """A URL without its password, for messages."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}@{host}" if user else f"{scheme}://{host}"


def refuse_newer_schema(source: object, version: int) -> None:
    """Both backends refuse a database that a newer mmpgate migrated past what this one knows."""
    if version > len(MIGRATIONS):
        raise InputError(
            located(
                source,
                "mmpgate_schema",
                f"expected schema version {len(MIGRATIONS)} or older, got {version} "
                "(written by a newer mmpgate)",
            )
        )
