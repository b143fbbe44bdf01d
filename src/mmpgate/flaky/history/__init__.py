"""The run history: per-test outcomes of every recorded run, behind one small interface.

    store = open_store("mmpgate-history.sqlite")       # or "postgresql://user@host/db"
    store.add_run(run, records)                         # one run's tests, atomically
    store.recent_runs(10)                               # newest first
    store.test_stats(last=50)                           # failure, flaky and flip rates per test
    store.prune(keep_runs=200)                          # retention

Both backends share the schema's migrations and compute every rate in Python from the same
observations (`stats.compute`), so they give the same answers by construction and in the tests.
"""

from __future__ import annotations

from mmpgate.flaky.history.model import (
    DEFAULT_FILE,
    Definitions,
    NewRun,
    Rates,
    ResultRecord,
    RunInfo,
)
from mmpgate.flaky.history.store import HistoryStore, open_store

__all__ = [
    "DEFAULT_FILE",
    "Definitions",
    "HistoryStore",
    "NewRun",
    "Rates",
    "ResultRecord",
    "RunInfo",
    "open_store",
]
