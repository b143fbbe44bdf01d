"""Figures of earlier runs, oldest first: what the HTML report and the job summary draw as trends.

A point is read from a results directory (or a single metrics file, such as a baseline's
`metrics.total.json`). Runs are ordered by the time their tests started.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from mmpgate.metrics.files import TOTAL_FILE
from mmpgate.metrics.io import load_metrics
from mmpgate.metrics.reading import group_documents, is_flaky
from mmpgate.metrics.results import MetricsSet


@dataclasses.dataclass(frozen=True, slots=True)
class RunPoint:
    """One run's headline figures. None: not known for that run."""

    label: str
    started: str | None
    tests: int
    failed: int  # failed + errors
    flaky: int | None
    coverage: float | None
    wall: float | None

    @property
    def failure_rate(self) -> float | None:
        """(failed + errors) / total; None when nothing ran."""
        return self.failed / self.tests if self.tests else None

    @property
    def flaky_rate(self) -> float | None:
        """Flaky tests / total; None when nothing ran or flakiness is not known."""
        return self.flaky / self.tests if self.tests and self.flaky is not None else None


def _label(started: str | None, commit: str | None, fallback: str) -> str:
    if commit:
        return str(commit)[:7]
    return started[:16].replace("T", " ") if started else fallback


def point_of(path: Path, label: str | None = None) -> RunPoint:
    """The figures of the run whose results are at `path` (a directory or one metrics file)."""
    if path.is_file():
        document: Mapping[str, Any] = load_metrics(path)
        facts: Mapping[str, Any] = document.get("environment") or {}
        measured = document.get("coverage")
        return RunPoint(
            label=label or _label(facts.get("started"), facts.get("git_commit"), path.name),
            started=facts.get("started"),
            tests=int(document["counts"]["total"]),
            failed=int(document["counts"]["failed"]) + int(document["counts"]["errors"]),
            flaky=(
                sum(1 for e in document["tests"] if is_flaky(e))
                if document["kind"] == "group"
                else None
            ),
            coverage=float(measured["percent"]) if measured else None,
            wall=float(document["duration"]["wall"]),
        )
    tests = failed = flaky = 0
    wall = 0.0
    starts: list[str] = []
    commit: str | None = None
    coverages: list[float | None] = []
    for group_document in group_documents(path):
        data = group_document.data
        counts = data["counts"]
        tests += int(counts["total"])
        failed += int(counts["failed"]) + int(counts["errors"])
        flaky += sum(1 for entry in data["tests"] if is_flaky(entry))
        wall += float(data["duration"]["wall"])
        env: Mapping[str, Any] = data.get("environment") or {}
        if env.get("started"):
            starts.append(str(env["started"]))
        commit = commit or env.get("git_commit")
        cov = data.get("coverage")
        coverages.append(float(cov["percent"]) if cov else None)
    coverage = coverages[0] if len(coverages) == 1 else None
    total_file = path / TOTAL_FILE
    if total_file.is_file():
        total_cov: Mapping[str, Any] | None = load_metrics(total_file).get("coverage")
        coverage = float(total_cov["percent"]) if total_cov else coverage
    started = min(starts) if starts else None
    return RunPoint(
        label=label or _label(started, commit, path.name),
        started=started,
        tests=tests,
        failed=failed,
        flaky=flaky,
        coverage=coverage,
        wall=wall,
    )


def past_runs(directory: Path) -> list[Path]:
    """Every run kept under `directory`: each subdirectory holding metrics files."""
    if not directory.is_dir():
        from mmpgate.errors import InputError, located

        raise InputError(located(directory, "", "expected a directory of earlier runs' results"))
    return [child for child in sorted(directory.iterdir()) if any(child.glob("metrics.*.json"))]


def ordered(points: Iterable[RunPoint]) -> tuple[RunPoint, ...]:
    """Oldest first by start time; points without one keep their given order, before the rest."""
    listed = list(points)
    return tuple(sorted(listed, key=lambda p: (p.started is not None, p.started or "")))


def point_of_set(metrics: MetricsSet, label: str) -> RunPoint:
    """A run's figures from what the gate already read (flakiness is not part of that view)."""
    groups = list(metrics.groups.values())
    tests = sum(group.total for group in groups)
    failed = sum(group.counts["failed"] + group.counts["errors"] for group in groups)
    if metrics.total is not None:
        coverage = metrics.total.coverage
    else:
        coverage = groups[0].coverage if len(groups) == 1 else None
    return RunPoint(
        label=label,
        started=None,
        tests=tests,
        failed=failed,
        flaky=None,
        coverage=coverage,
        wall=sum(group.wall for group in groups),
    )


def points_from_history(target: str, last: int = 20) -> list[RunPoint]:
    """The last `last` runs recorded in the run history (`mmpgate history add`), oldest first.

    The history keeps per-test statuses, not wall time or coverage: those stay unknown here.
    """
    from collections import Counter

    from mmpgate.flaky.history import open_store
    from mmpgate.flaky.history.model import Status

    with open_store(target, create=False) as store:
        runs = store.recent_runs(last)
        if not runs:
            return []
        statuses: dict[int, Counter[Status]] = {run.id: Counter() for run in runs}
        for observations in store.observations(runs[-1].id).values():
            for observation in observations:
                if observation.run in statuses:
                    statuses[observation.run][observation.status] += 1
    return [
        RunPoint(
            label=_label(run.recorded_at, run.commit, run.run_key),
            started=run.recorded_at,
            tests=sum(statuses[run.id].values()),
            failed=statuses[run.id][Status.FAILED],
            flaky=statuses[run.id][Status.FLAKY],
            coverage=None,
            wall=None,
        )
        for run in reversed(runs)
    ]
