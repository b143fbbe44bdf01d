"""The history store on SQLite and on a real PostgreSQL server: the same tests, the same answers."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mmpgate.errors import InputError
from mmpgate.flaky.history import Definitions, NewRun, Rates, ResultRecord, open_store
from mmpgate.flaky.history.model import Status
from mmpgate.flaky.history.store import SCHEMA_VERSION

P, F, K, S = Status.PASSED, Status.FAILED, Status.FLAKY, Status.SKIPPED

#: Six runs on three commits; one column per test, hand-counted below.
RUNS = [
    ("r1", "c1", {"a": P, "b": P, "c": P, "d": S}),
    ("r2", "c1", {"a": F, "b": P, "c": F, "d": P}),
    ("r3", "c2", {"a": P, "b": K, "c": F, "d": S}),
    ("r4", "c2", {"a": F, "b": P, "c": F, "d": P}),
    ("r5", "c3", {"a": P, "b": P, "c": F}),
    ("r6", "c3", {"a": P, "b": P, "c": F, "d": P}),
]


def record(store_target: str, runs=RUNS) -> None:
    """Record runs of the unit group in order."""
    with open_store(store_target) as store:
        for key, commit, statuses in runs:
            records = [
                ResultRecord("unit", f"t.py::{name}", status, 0, 0, 0.5)
                for name, status in statuses.items()
            ]
            store.add_run(NewRun(key, commit, "main", "2026-12-01T00:00:00+00:00"), records)


def stats_by_name(store_target: str, definitions: Definitions) -> dict[str, Rates]:
    """test_stats by short test name."""
    with open_store(store_target) as store:
        return {s.nodeid.split("::")[1]: s for s in store.test_stats(definitions)}


def test_rates_equal_a_hand_count(store_target: str) -> None:
    """Failure, flaky and flip rates and both definitions, exactly as counted by hand."""
    record(store_target)
    found = stats_by_name(store_target, Definitions(last=50, flip_threshold=0.5, min_runs=5))
    # a: P F P F P P -> 2 failures in 6, 4 flips in 5 changes; c1 and c2 both saw P and F.
    assert found["a"] == Rates("unit", "t.py::a", 6, 2, 0, 4, True, True)
    assert (found["a"].failure_rate, found["a"].flip_rate) == (2 / 6, 4 / 5)
    # b: one flaky run (failed, then passed within r3): same_commit; flips P->K->P = 2 in 5.
    assert found["b"] == Rates("unit", "t.py::b", 6, 0, 1, 2, True, False)
    assert found["b"].flaky_rate == 1 / 6
    # c: P F F F F F -> broken since r2; c1 saw both: same_commit; 1 flip in 5 (0.2 < 0.5).
    assert found["c"] == Rates("unit", "t.py::c", 6, 5, 0, 1, True, False)
    # d: skipped twice and absent once: 3 runs, all passed, never flaky (3 < min_runs).
    assert found["d"] == Rates("unit", "t.py::d", 3, 0, 0, 0, False, False)
    assert found["d"].flip_rate == 0.0
    assert found["a"].flaky_by == ("same_commit", "flip_rate")


def test_the_window_is_the_last_n_runs(store_target: str) -> None:
    """--last 3 counts r4..r6 only; the recent runs come newest first."""
    record(store_target)
    found = stats_by_name(store_target, Definitions(last=3, flip_threshold=0.5, min_runs=3))
    # a in r4..r6: F (c2) P P (c3): no commit saw both; 1 flip in 2 changes = 0.5 >= 0.5.
    assert found["a"] == Rates("unit", "t.py::a", 3, 1, 0, 1, False, True)
    assert found["c"] == Rates("unit", "t.py::c", 3, 3, 0, 0, False, False)
    with open_store(store_target) as store:
        assert [r.run_key for r in store.recent_runs(3)] == ["r6", "r5", "r4"]
        assert [r.tests for r in store.recent_runs(2)] == [4, 3]


def test_only_the_asked_tests_are_read(store_target: str) -> None:
    """observations(tests=...) returns those tests only, oldest first."""
    record(store_target)
    with open_store(store_target) as store:
        first = store.recent_runs(50)[-1].id
        seen = store.observations(first, [("unit", "t.py::b"), ("unit", "t.py::zz")])
    assert list(seen) == [("unit", "t.py::b")]
    assert [o.status for o in seen[("unit", "t.py::b")]] == [P, P, K, P, P, P]
    assert [o.commit for o in seen[("unit", "t.py::b")]] == ["c1", "c1", "c2", "c2", "c3", "c3"]


def test_retention_keeps_the_newest_runs(store_target: str) -> None:
    """prune(2) deletes 4 runs, their rows, and the names no kept run holds."""
    record(store_target)
    with open_store(store_target) as store:
        assert store.prune(2) == 4
        assert [r.run_key for r in store.recent_runs(50)] == ["r6", "r5"]
        assert store.prune(2) == 0
    record(store_target, [("r7", "c4", {"e": P})])
    with open_store(store_target) as store:
        assert store.prune(1) == 2
        assert [s.nodeid for s in store.test_stats()] == ["t.py::e"]


def test_a_run_key_is_recorded_once(store_target: str) -> None:
    """Recording the same run key again is one InputError line; nothing is half-written."""
    record(store_target, RUNS[:1])
    with pytest.raises(InputError, match="run 'r1' is already recorded"):
        record(store_target, RUNS[:1])
    with open_store(store_target) as store:
        assert [r.run_key for r in store.recent_runs(50)] == ["r1"]


WRITER = """
import sys
from mmpgate.flaky.history import NewRun, ResultRecord, open_store
from mmpgate.flaky.history.model import Status
target, name = sys.argv[1], sys.argv[2]
for i in range(15):
    with open_store(target) as store:
        records = [ResultRecord("unit", f"t.py::shared_{j}", Status.PASSED, 0, 0, 0.1) for j in range(50)]
        records.append(ResultRecord("unit", f"t.py::{name}_{i}", Status.FAILED, 0, 0, 0.1))
        store.add_run(NewRun(f"{name}-{i}", "c", "main", "2026-12-01T00:00:00+00:00"), records)
"""


def test_two_writers_at_once(store_target: str) -> None:
    """Two processes migrating and writing the same tests at once: every run of both recorded."""
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, store_target, name])
        for name in ("left", "right")
    ]
    assert [w.wait() for w in writers] == [0, 0]
    with open_store(store_target) as store:
        runs = store.recent_runs(100)
        assert len(runs) == 30
        assert {r.run_key for r in runs} == {
            f"{n}-{i}" for n in ("left", "right") for i in range(15)
        }
        found = {s.nodeid: s for s in store.test_stats(Definitions(last=100))}
        assert len(found) == 50 + 30
        assert found["t.py::shared_0"].runs == 30
        assert store.schema_version() == SCHEMA_VERSION


def test_an_old_schema_is_migrated_and_a_newer_one_refused(store_target: str) -> None:
    """A version-1 store opens at the current version; a store from a newer mmpgate is refused."""
    if store_target.startswith("postgresql"):
        from mmpgate.flaky.history.postgres import PostgresStore

        old = PostgresStore(store_target, upto=1)
    else:
        from pathlib import Path

        from mmpgate.flaky.history.sqlite import SqliteStore

        old = SqliteStore(Path(store_target), upto=1)
    assert old.schema_version() == 1
    old.close()
    record(store_target, RUNS[:2])
    with open_store(store_target) as store:
        assert store.schema_version() == SCHEMA_VERSION == 2
        assert len(store.test_stats()) == 4
        if hasattr(store, "conn"):
            if store_target.startswith("postgresql"):
                store.conn.execute("UPDATE mmpgate_schema SET version = 99")
                store.conn.commit()
            else:
                store.conn.execute("UPDATE mmpgate_schema SET version = 99")
    with pytest.raises(InputError, match="expected schema version 2 or older, got 99"):
        open_store(store_target)
