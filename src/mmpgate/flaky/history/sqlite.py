"""The SQLite history (`mmpgate-history.sqlite`): WAL, BEGIN IMMEDIATE writes, a busy timeout.

Two writers at once: each write is one IMMEDIATE transaction; the second waits (up to the
timeout) for the first to commit, then goes on. Readers never block writers (WAL).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path

from mmpgate.errors import InputError, located
from mmpgate.flaky.history.model import NewRun, Observation, ResultRecord, RunInfo, Status
from mmpgate.flaky.history.store import MIGRATIONS, HistoryStore, TestKey, refuse_newer_schema

BUSY_TIMEOUT = 120.0


class SqliteStore(HistoryStore):
    """A history in one SQLite file."""

    def __init__(self, path: Path, *, create: bool = True, upto: int | None = None) -> None:
        self.source = str(path)
        if not create and not path.exists():
            raise InputError(located(path, "", "history database not found"))
        if path.is_dir():
            raise InputError(located(path, "", "expected a history database, found a directory"))
        self.conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
        try:
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self._migrate(len(MIGRATIONS) if upto is None else upto)
        except BaseException as exc:
            self.conn.close()
            if not isinstance(exc, sqlite3.DatabaseError):
                raise
            raise InputError(
                located(path, "", f"expected an mmpgate history database (SQLite: {exc})")
            ) from None

    def _migrate(self, target: int) -> None:
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("CREATE TABLE IF NOT EXISTS mmpgate_schema (version INTEGER NOT NULL)")
            row = conn.execute("SELECT version FROM mmpgate_schema").fetchone()
            version = 0 if row is None else int(row[0])
            refuse_newer_schema(self.source, version)
            for statements in MIGRATIONS[version:target]:
                for statement in statements:
                    conn.execute(statement.format(serial="INTEGER"))
            if row is None:
                conn.execute(
                    "INSERT INTO mmpgate_schema (version) VALUES (?)", (max(version, target),)
                )
            elif target > version:
                conn.execute("UPDATE mmpgate_schema SET version = ?", (target,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def schema_version(self) -> int:
        """The schema version of the file."""
        return int(self.conn.execute("SELECT version FROM mmpgate_schema").fetchone()[0])

    def add_run(self, run: NewRun, records: Iterable[ResultRecord]) -> RunInfo:
        """One IMMEDIATE transaction: the run, new test names, one result row per test."""
        conn = self.conn
        rows = [
            (r.group, r.nodeid, int(r.status), r.attempts, r.passed_attempts, r.duration)
            for r in records
        ]
        conn.execute("BEGIN IMMEDIATE")
        try:
            try:
                cursor = conn.execute(
                    "INSERT INTO runs (run_key, commit_sha, branch, recorded_at, tests) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (run.run_key, run.commit, run.branch, run.recorded_at, len(rows)),
                )
            except sqlite3.IntegrityError:
                raise InputError(
                    located(self.source, "runs", f"run {run.run_key!r} is already recorded")
                ) from None
            run_id = int(cursor.lastrowid or 0)
            conn.executemany(
                "INSERT OR IGNORE INTO tests (grp, nodeid) VALUES (?, ?)",
                ((row[0], row[1]) for row in rows),
            )
            conn.executemany(
                "INSERT INTO results (run_id, test_id, status, attempts, passed_attempts, duration)"
                " SELECT ?, id, ?, ?, ?, ? FROM tests WHERE grp = ? AND nodeid = ?",
                ((run_id, row[2], row[3], row[4], row[5], row[0], row[1]) for row in rows),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return RunInfo(run_id, run.run_key, run.commit, run.branch, run.recorded_at, len(rows))

    def recent_runs(self, n: int) -> list[RunInfo]:
        """Newest first."""
        rows = self.conn.execute(
            "SELECT id, run_key, commit_sha, branch, recorded_at, tests FROM runs "
            "ORDER BY id DESC LIMIT ?",
            (n,),
        ).fetchall()
        return [RunInfo(int(r[0]), r[1], r[2], r[3], r[4], int(r[5])) for r in rows]

    def observations(
        self, since_run: int, tests: Collection[TestKey] | None = None
    ) -> Mapping[TestKey, Sequence[Observation]]:
        """Oldest first per test; for given tests, one index range per test."""
        conn = self.conn
        select = (
            "SELECT t.grp, t.nodeid, r.run_id, runs.commit_sha, r.status FROM {source} "
            "JOIN results r ON r.test_id = t.id AND r.run_id >= ? "
            "JOIN runs ON runs.id = r.run_id ORDER BY r.run_id"
        )
        if tests is None:
            cursor = conn.execute(select.format(source="tests t"), (since_run,))
        else:
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (grp TEXT, nodeid TEXT)")
            conn.execute("DELETE FROM wanted")
            conn.executemany("INSERT INTO wanted (grp, nodeid) VALUES (?, ?)", list(tests))
            source = "wanted w JOIN tests t ON t.grp = w.grp AND t.nodeid = w.nodeid"
            cursor = conn.execute(select.format(source=source), (since_run,))
        found: dict[TestKey, list[Observation]] = {}
        for grp, nodeid, run_id, commit, status in cursor:
            found.setdefault((grp, nodeid), []).append(Observation(run_id, commit, Status(status)))
        return found

    def prune(self, keep_runs: int) -> int:
        """Delete every run older than the newest `keep_runs`, and test names no run holds."""
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            row = conn.execute(
                "SELECT id FROM runs ORDER BY id DESC LIMIT 1 OFFSET ?", (max(keep_runs - 1, 0),)
            ).fetchone()
            deleted = 0
            if row is not None and keep_runs > 0:
                cutoff = int(row[0])
                conn.execute("DELETE FROM results WHERE run_id < ?", (cutoff,))
                deleted = conn.execute("DELETE FROM runs WHERE id < ?", (cutoff,)).rowcount
                if deleted:
                    conn.execute(
                        "DELETE FROM tests WHERE NOT EXISTS "
                        "(SELECT 1 FROM results r WHERE r.test_id = tests.id)"
                    )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return deleted

    def close(self) -> None:
        """Close the file."""
        self.conn.close()
