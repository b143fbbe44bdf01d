"""Group completeness: which tests of the whole suite no group ran, and which two groups ran.

`mmpgate run --all` (and `ci`) runs one more pytest process after the groups: `--collect-only`
over the whole suite, as a plain `pytest` in the project would collect it, with the run's own
PYTEST_ARGS. Its test IDs (and its failed or skipped collectors) are compared with the entries of
the groups' metrics files. A group selected by a marker (`args = ["-m", "unit"]`) deselects the
unmarked tests of its paths, and a test file outside every group's paths is never run: both show
up here. The result is `assignment.json` in the results directory; the gate reads it.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from mmpgate.metrics.assignment import assign, problems
from mmpgate.metrics.document import Assignment, MetricsDocument
from mmpgate.metrics.files import ASSIGNMENT_FILE
from mmpgate.metrics.io import read_json
from mmpgate.metrics.writing import write_json
from mmpgate.run.child_env import pytest_child_env


class CollectedLister:
    """pytest plugin (`--mmpgate-list-collected=PATH`): write the collected test IDs and the
    failed or skipped collectors, as JSON, when collection ends."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.collectors: list[str] = []

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed or report.skipped:
            self.collectors.append(report.nodeid)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        nodeids = [item.nodeid for item in session.items]
        write_json(self.path, {"nodeids": nodeids, "collectors": sorted(set(self.collectors))})


def ran_ids(document: MetricsDocument) -> list[str]:
    """The tests (and collectors) a group's metrics file has an entry for."""
    return [entry["nodeid"] for entry in document["tests"]]


def list_suite(root: Path, extra: Sequence[str]) -> tuple[list[str], str | None]:
    """The whole suite's test IDs and failed or skipped collectors, from `pytest --collect-only`
    in `root`; with an error text (and no IDs) when that collection could not tell."""
    with tempfile.TemporaryDirectory(prefix="mmpgate-collect-") as scratch:
        listing = Path(scratch) / "collected.json"
        command = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-n", "0"]
        if importlib.util.find_spec("pytest_cov") is not None:
            command.append("--no-cov")  # an `addopts = --cov` must not measure a collection
        command += [f"--mmpgate-list-collected={listing}", *extra]
        env = pytest_child_env()
        env["COVERAGE_FILE"] = str(Path(scratch) / ".coverage")
        done = subprocess.run(
            command,
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            errors="replace",
            check=False,
        )
        # 2: collection errors (listed as collectors), 5: nothing collected.
        if done.returncode not in (0, 2, 5) or not listing.is_file():
            lines = done.stdout.strip().splitlines()[-3:] or done.stderr.strip().splitlines()[-3:]
            return [], f"the whole suite's collection exited {done.returncode}: {' | '.join(lines)}"
        data: Any = read_json(listing)
    return [*data["nodeids"], *data["collectors"]], None


def record(
    root: Path,
    output: Path,
    documents: Mapping[str, MetricsDocument | None],
    extra: Sequence[str],
    policy: str,
) -> Assignment | None:
    """Write `assignment.json` for a run of every group and print what it found; None (and no
    file) when a group did not complete: its entries would not say what it holds."""
    unfinished = sorted(g for g, doc in documents.items() if doc is None or not doc["complete"])
    if unfinished:
        print(
            f"mmpgate: group completeness not checked: {', '.join(unfinished)} did not complete",
            flush=True,
        )
        return None
    collected, error = list_suite(root, extra)
    ran = {group: ran_ids(doc) for group, doc in documents.items() if doc is not None}
    assignment = assign(collected, ran, policy, error)
    write_json(output / ASSIGNMENT_FILE, assignment)
    for line in describe(assignment):
        print(line, flush=True)
    return assignment


def describe(assignment: Assignment) -> list[str]:
    """The run's lines about its groups' completeness."""
    found = problems(assignment)
    if not found:
        return [
            f"mmpgate: group completeness: each of the {assignment['collected']} collected tests "
            "ran in exactly one group"
        ]
    if assignment["policy"] == "allow":
        return [f'mmpgate: {line} (allowed: unassigned = "allow")' for line in found]
    hint = (
        f'see {ASSIGNMENT_FILE}; give each test one group, or set unassigned = "allow" in '
        "[tool.mmpgate]"
    )
    return [f"mmpgate: error: {line}; {hint}" for line in found]
