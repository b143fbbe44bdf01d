"""The metrics of one run, as the gate reads them: a directory of group files and its total.

Each file is validated in full (format version, schema, arithmetic) and then reduced to what the
gate needs, one file at a time, so memory stays near that of the largest single file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from mmpgate.errors import InputError, located
from mmpgate.metrics.document import MetricsDocument, count_of, sum_counts
from mmpgate.metrics.documents import flaky_evidence, status_of
from mmpgate.metrics.files import TOTAL_FILE, read_group_documents
from mmpgate.metrics.format import COUNT_KEYS
from mmpgate.metrics.io import load_metrics
from mmpgate.metrics.names import TOTAL


@dataclasses.dataclass(frozen=True, slots=True)
class TestDetail:
    """What is kept of a test (or collector) that did not pass: for annotations and lists."""

    outcome: str
    message: str | None
    line: int | None


#: A test's outcome and its setup + call + teardown seconds (a tuple: 100,000s of them are made).
TestResult = tuple[str, float]


@dataclasses.dataclass(frozen=True, slots=True)
class GroupMetrics:
    """What the gate reads of one metrics document (a group, or a total)."""

    name: str
    file: str
    complete: bool
    empty: bool
    reason: str | None
    counts: Mapping[str, int]
    wall: float
    tests_sum: float
    coverage: float | None
    #: Tests (not collectors) by nodeid; None when not known (a total, or a total used as baseline).
    tests: Mapping[str, TestResult] | None
    #: Every test or collector whose outcome is not `passed`, by nodeid.
    details: Mapping[str, TestDetail] = dataclasses.field(default_factory=dict)
    #: Flaky tests (failed, then passed: on a retry, or on a pytest-rerunfailures rerun) -> evidence.
    flaky: Mapping[str, str | None] = dataclasses.field(default_factory=dict)
    #: Tests a quarantine entry holds (filled by the gate, which reads the quarantine file).
    quarantined: frozenset[str] = frozenset()

    @property
    def total(self) -> int:
        """The outcome total (the rates' denominator)."""
        return self.counts["total"]


@dataclasses.dataclass(frozen=True, slots=True)
class MetricsSet:
    """Every group of a run, and its combined total when `mmpgate combine` wrote one."""

    source: str
    groups: Mapping[str, GroupMetrics]
    total: GroupMetrics | None = None


def group_from_document(document: Mapping[str, Any], file: str) -> GroupMetrics:
    """Reduce a validated metrics document to the gate's view of it (pure)."""
    if document["kind"] != "group":
        return _summary(document["group"], file, document, None, {})
    tests: dict[str, TestResult] = {}
    details: dict[str, TestDetail] = {}
    flaky: dict[str, str | None] = {}
    for entry in document["tests"]:
        phases = entry["duration"]
        outcome = entry["outcome"]
        nodeid = entry["nodeid"]
        if outcome != "passed":
            details[nodeid] = TestDetail(outcome, entry.get("message"), entry.get("line"))
        if "collect" not in phases:
            tests[nodeid] = (outcome, sum(phases.values()))
            if (entry.get("reruns") or "classification" in entry) and status_of(entry) == "flaky":
                flaky[nodeid] = flaky_evidence(entry)
    summary = _summary(document["group"], file, document, tests, details)
    return dataclasses.replace(summary, flaky=flaky) if flaky else summary


def _summary(
    name: str,
    file: str,
    doc: Mapping[str, Any],
    tests: dict[str, TestResult] | None,
    details: dict[str, TestDetail],
) -> GroupMetrics:
    coverage = doc.get("coverage")
    counts = {key: int(doc["counts"][key]) for key in COUNT_KEYS}
    return GroupMetrics(
        name=name,
        file=file,
        complete=bool(doc["complete"]),
        empty=counts["total"] == 0,
        reason=doc.get("reason"),
        counts=counts,
        wall=float(doc["duration"]["wall"]),
        tests_sum=float(doc["duration"]["tests_sum"]),
        coverage=float(coverage["percent"]) if coverage else None,
        tests=tests,
        details=details,
    )


def load_metrics_dir(
    directory: Path, preloaded: Mapping[Path, MetricsDocument] | None = None
) -> MetricsSet:
    """Every `metrics.<group>.json` of a directory and its `metrics.total.json` when present."""
    groups: dict[str, GroupMetrics] = {}
    for path, document in read_group_documents(directory, preloaded):
        groups[document["group"]] = group_from_document(document, str(path))
        del document
    total: GroupMetrics | None = None
    total_path = directory / TOTAL_FILE
    if total_path.exists():
        total_doc = (preloaded or {}).get(total_path) or load_metrics(total_path)
        if total_doc["kind"] != "total":
            raise InputError(
                located(total_path, "$.kind", f"expected 'total', got {total_doc['kind']!r}")
            )
        total = group_from_document(total_doc, str(total_path))
        check_total(total_doc, groups, total_path)
    return MetricsSet(source=str(directory), groups=dict(sorted(groups.items())), total=total)


def check_total(total_doc: MetricsDocument, groups: Mapping[str, GroupMetrics], file: Path) -> None:
    """A total must be the sum of the directory's groups; a stale one is refused."""
    listed = total_doc.get("groups")
    if listed is not None and sorted(listed) != sorted(groups):
        raise InputError(
            located(
                file,
                "$.groups",
                f"expected the groups of the directory's files {sorted(groups)}, got {sorted(listed)}"
                " (run `mmpgate combine` again)",
            )
        )
    expected = sum_counts(group.counts for group in groups.values())
    for key in COUNT_KEYS:
        got = count_of(total_doc["counts"], key)
        if got != count_of(expected, key):
            raise InputError(
                located(
                    file,
                    f"$.counts.{key}",
                    f"expected {count_of(expected, key)} (the sum of the group files), got {got}"
                    " (run `mmpgate combine` again)",
                )
            )


def summed(groups: Iterable[GroupMetrics]) -> GroupMetrics:
    """The total of groups when no `metrics.total.json` exists: counts added by the one rule
    (`sum_counts`), wall times summed, coverage unknown (never averaged)."""
    members = list(groups)
    counts = sum_counts(group.counts for group in members)
    return GroupMetrics(
        name=TOTAL,
        file="sum of the group files",
        complete=all(group.complete for group in members),
        empty=counts["total"] == 0,
        reason=None,
        counts={key: count_of(counts, key) for key in COUNT_KEYS},
        wall=sum(group.wall for group in members),
        tests_sum=sum(group.tests_sum for group in members),
        coverage=None,
        tests=None,
    )


def load_baseline(path: Path) -> MetricsSet | None:
    """A directory or a single metrics file of an earlier run; None when the path does not exist."""
    if not path.exists():
        return None
    if path.is_dir():
        return load_metrics_dir(path)
    document = load_metrics(path)
    if document["kind"] == "group":
        group = group_from_document(document, str(path))
        return MetricsSet(source=str(path), groups={group.name: group})
    summaries = document.get("groups") or {}
    groups = {
        name: _summary(name, f"{path} $.groups.{name}", summary, None, {})
        for name, summary in sorted(summaries.items())
    }
    return MetricsSet(
        source=str(path), groups=groups, total=group_from_document(document, str(path))
    )
