"""A results directory -> the run's TestRecords, and the run's identity (commit, branch, run key)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from mmpgate.errors import InputError, located
from mmpgate.flaky.history.model import NewRun, ResultRecord, Status
from mmpgate.metrics.files import METRICS_GLOB, TOTAL_FILE
from mmpgate.metrics.reading import status_of

_STATUS = {
    "passed": Status.PASSED,
    "failed": Status.FAILED,
    "flaky": Status.FLAKY,
    "skipped": Status.SKIPPED,
}
_PASSING = frozenset(("passed", "xpassed"))


def group_files(directory: Path) -> list[Path]:
    """The `metrics.<group>.json` files of a results directory (not the total)."""
    if not directory.is_dir():
        raise InputError(located(directory, "", "metrics directory not found"))
    files = [p for p in sorted(directory.glob(METRICS_GLOB)) if p.name != TOTAL_FILE]
    if not files:
        raise InputError(located(directory, "", "expected metrics.<group>.json files, found none"))
    return files


def records_of(document: Mapping[str, Any]) -> Iterator[ResultRecord]:
    """One record per test of a validated group document (collectors are no tests)."""
    group = document["group"]
    for entry in document["tests"]:
        phases = entry["duration"]
        if "collect" in phases:
            continue
        attempts = entry.get("attempts", ())
        yield ResultRecord(
            group=group,
            nodeid=entry["nodeid"],
            status=_STATUS[status_of(entry)],
            attempts=len(attempts),
            passed_attempts=sum(a["outcome"] in _PASSING for a in attempts),
            duration=sum(phases.values()),
        )


def run_identity(
    run_key: str | None,
    commit: str | None,
    branch: str | None,
    documents_commit: str | None,
    env: Mapping[str, str] | None = None,
) -> NewRun:
    """What the options say, else the Actions environment, else git, else a fresh run key."""
    environ = os.environ if env is None else env
    if run_key is None and environ.get("GITHUB_RUN_ID"):
        run_key = f"{environ['GITHUB_RUN_ID']}-{environ.get('GITHUB_RUN_ATTEMPT', '1')}"
    branch = (
        branch or environ.get("GITHUB_HEAD_REF") or environ.get("GITHUB_REF_NAME") or _git_branch()
    )
    return NewRun(
        run_key=run_key or uuid.uuid4().hex,
        commit=commit or documents_commit,
        branch=branch or None,
        recorded_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    )


def _git_branch() -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--abbrev-ref", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    name = done.stdout.strip()
    return name if done.returncode == 0 and name and name != "HEAD" else None
