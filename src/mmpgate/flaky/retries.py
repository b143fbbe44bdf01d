"""Retries that classify: after a group's run, each failed or errored test runs again, alone.

Each attempt is a fresh pytest process running one node id, serially, with the group's own
arguments, without workers, without coverage and without pytest-rerunfailures' reruns, writing
its own metrics file in a temporary directory. Every test gets all N attempts: the count of
passes is the evidence ("failed with 2 workers, passed 3/3 alone" points at shared state).

The group's first-run `counts` are never touched; the attempts, a classification per retried
test and a `retries` summary are added beside them. Coverage is kept apart: the group's coverage
is its first run's, whichever tests happened to fail.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mmpgate.metrics.format import FAILING_OUTCOMES as _FAILING
from mmpgate.run.child_env import pytest_child_env

if TYPE_CHECKING:
    from mmpgate.metrics.document import Attempt as AttemptEntry
    from mmpgate.metrics.document import Entry, MetricsDocument

_PASSING = frozenset(("passed", "xpassed"))
COVERAGE_POLICY = "kept apart"


@dataclasses.dataclass(frozen=True, slots=True)
class Attempt:
    """One retry of one test."""

    outcome: str
    duration: float
    message: str | None

    def as_json(self) -> AttemptEntry:
        """The attempt as the metrics file spells it."""
        return {
            "outcome": self.outcome,
            "duration": round(self.duration, 6),
            "message": self.message,
        }


def to_retry(document: MetricsDocument) -> list[str]:
    """Node ids of the tests (not collectors) that failed or errored in the first run."""
    return [
        entry["nodeid"]
        for entry in document["tests"]
        if entry["outcome"] in _FAILING and "collect" not in entry["duration"]
    ]


def classify(attempts: Sequence[Attempt]) -> str:
    """'flaky' when any attempt passed, else 'failed' (broken)."""
    return "flaky" if any(a.outcome in _PASSING for a in attempts) else "failed"


def evidence(workers: int, attempts: Sequence[Attempt]) -> str:
    """The retries in words; the hint at shared state when every serial attempt passed."""
    passed = sum(a.outcome in _PASSING for a in attempts)
    alone = f"passed {passed}/{len(attempts)} alone"
    if workers > 0:
        return f"failed with {workers} worker{'s' if workers != 1 else ''}, {alone}"
    return f"failed in the group's run, {alone}"


def merge(
    document: MetricsDocument,
    attempts: Mapping[str, Sequence[Attempt]],
    *,
    max_attempts: int,
    processes: int,
) -> MetricsDocument:
    """The document with attempts, classification and evidence on retried tests (pure)."""
    workers = int(document["environment"]["workers"])
    tests: list[Entry] = []
    flaky = failed = 0
    for entry in document["tests"]:
        tried = attempts.get(entry["nodeid"])
        if tried is not None and "collect" not in entry["duration"]:
            classification = classify(tried)
            flaky += classification == "flaky"
            failed += classification == "failed"
            entry = entry.copy()
            entry["attempts"] = [a.as_json() for a in tried]
            entry["classification"] = classification
            entry["evidence"] = evidence(workers, tried)
        tests.append(entry)
    merged = document.copy()
    merged["tests"] = tests
    merged["retries"] = {
        "max_attempts": max_attempts,
        "retried": flaky + failed,
        "flaky": flaky,
        "failed": failed,
        "processes": processes,
        "coverage": COVERAGE_POLICY,
    }
    return merged


def retry_command(nodeid: str, group: str, metrics: Path, args: Sequence[str]) -> list[str]:
    """One attempt: the test alone, no workers, no coverage, no rerunfailures reruns."""
    command = [sys.executable, "-m", "pytest", nodeid, *args, "-p", "no:cacheprovider", "-q"]
    command += [f"--mmpgate-metrics={metrics}", f"--mmpgate-group={group}"]
    if importlib.util.find_spec("xdist") is not None:
        command += ["-n", "0"]  # addopts may ask for workers; an attempt runs alone
    if importlib.util.find_spec("pytest_cov") is not None:
        command.append("--no-cov")
    if importlib.util.find_spec("pytest_rerunfailures") is not None:
        command.append("--reruns=0")  # an attempt is one attempt; its reruns stay in the first run
    return command


def attempt_from(metrics: Path, nodeid: str, exit_code: int) -> Attempt:
    """The test's outcome in an attempt's metrics file; an error when the attempt ran no such test."""
    from mmpgate.errors import MmpgateError
    from mmpgate.metrics.io import load_metrics

    try:
        document = load_metrics(metrics)
    except MmpgateError:
        return Attempt("error", 0.0, f"the retry wrote no readable metrics (exit {exit_code})")
    for entry in document["tests"]:
        if entry["nodeid"] == nodeid:
            seconds = sum(entry["duration"].values())
            return Attempt(entry["outcome"], seconds, entry.get("message"))
    return Attempt("error", 0.0, f"the retry ran no test {nodeid} (exit {exit_code})")


def run_retries(
    nodeids: Sequence[str],
    *,
    group: str,
    root: Path,
    args: Sequence[str],
    max_attempts: int,
    report: Callable[[str], None] = print,
) -> tuple[dict[str, list[Attempt]], int]:
    """Every attempt of every test, serially; (attempts by node id, pytest processes started)."""
    results: dict[str, list[Attempt]] = {}
    processes = 0
    with tempfile.TemporaryDirectory(prefix="mmpgate-retries-") as scratch:
        env = pytest_child_env()
        # Coverage is kept apart: nothing a retry might measure lands in the group's data file.
        env["COVERAGE_FILE"] = str(Path(scratch) / ".coverage.retry")
        for nodeid in nodeids:
            tried: list[Attempt] = []
            for number in range(1, max_attempts + 1):
                metrics = Path(scratch) / f"attempt-{processes}.json"
                command = retry_command(nodeid, group, metrics, args)
                done = subprocess.run(
                    command, cwd=root, env=env, capture_output=True, text=True, check=False
                )
                processes += 1
                attempt = attempt_from(metrics, nodeid, done.returncode)
                tried.append(attempt)
                report(
                    f"mmpgate: {group}: retry {number}/{max_attempts} {nodeid}: "
                    f"{attempt.outcome} ({attempt.duration:.2f}s)"
                )
            results[nodeid] = tried
    return results, processes
