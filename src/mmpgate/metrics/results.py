"""The metrics of one run, as the gate reads them: a directory of group files and its total.

Each file is validated in full (format version, schema, arithmetic) and then reduced to what the
gate needs, one file at a time, so memory stays near that of the largest single file.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from mmpgate.errors import InputError, located
from mmpgate.metrics.assignment import load as load_assignment
from mmpgate.metrics.document import Assignment, MetricsDocument, count_of, sum_counts
from mmpgate.metrics.files import TOTAL_FILE, read_groups
from mmpgate.metrics.format import COUNT_KEYS
from mmpgate.metrics.io import load_metrics
from mmpgate.metrics.names import TOTAL
from mmpgate.metrics.reading import flaky_evidence, status_of
from mmpgate.metrics.typed import Fallback, decode, entry_rows


@dataclasses.dataclass(frozen=True, slots=True)
class TestDetail:
    """What is kept of a test (or collector) that did not pass: for annotations and lists."""

    outcome: str
    message: str | None
    line: int | None


#: A test's outcome and its setup + call + teardown seconds (a tuple: 100,000s of them are made).
TestResult = tuple[str, float]


class TestResults(Mapping[str, TestResult]):
    """Every test's (outcome, seconds) by nodeid, stored as one float per test.

    100,000s of tests are held at once (a run and its baseline): a float per test and the
    outcome only of the few that did not pass, rather than a tuple per test (-56 bytes each).
    """

    __slots__ = ("_not_passed", "_seconds")

    def __init__(self, seconds: dict[str, float], not_passed: dict[str, str]) -> None:
        self._seconds = seconds
        self._not_passed = not_passed

    @property
    def seconds(self) -> Mapping[str, float]:
        """Every test's setup + call + teardown seconds."""
        return self._seconds

    @property
    def not_passed(self) -> Mapping[str, str]:
        """The outcome of each test that did not pass (a few of them: walk these, not all)."""
        return self._not_passed

    def __getitem__(self, nodeid: str) -> TestResult:
        return self._not_passed.get(nodeid, "passed"), self._seconds[nodeid]

    def __contains__(self, nodeid: object) -> bool:
        return nodeid in self._seconds

    def __iter__(self) -> Iterator[str]:
        return iter(self._seconds)

    def __len__(self) -> int:
        return len(self._seconds)


#: What the reduction reads of one entry: nodeid, outcome, phase seconds, message, line, and
#: the whole entry when it was rerun or retried (to tell a flaky test), else None.
Row = tuple[str, str, Mapping[Any, float], Any, Any, Mapping[str, Any] | None]


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
    tests: TestResults | None
    #: Every test or collector whose outcome is not `passed`, by nodeid.
    details: Mapping[str, TestDetail] = dataclasses.field(default_factory=dict)
    #: Flaky tests (failed, then passed: on a retry, or on a pytest-rerunfailures rerun) -> evidence.
    flaky: Mapping[str, str | None] = dataclasses.field(default_factory=dict)
    #: Tests a quarantine entry holds (filled by the gate, which reads the quarantine file).
    quarantined: frozenset[str] = frozenset()
    #: `mmpgate run`'s timing of the pytest process (start-up and collection included); None
    #: when the file has none (pytest run with the plugin alone, `collect`).
    process: float | None = None

    @property
    def timed(self) -> float:
        """The seconds `max_duration` reads: the process's when known, else the session's."""
        return self.process if self.process is not None else self.wall

    @property
    def timed_by(self) -> str:
        """Which of the two `timed` is, in words."""
        if self.process is not None:
            return "process wall (start-up and collection included)"
        return "session wall (pytest's session only)"

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
    #: Group completeness of a run of every group (`assignment.json`); None when not known.
    assignment: Assignment | None = None


def group_from_document(document: Mapping[str, Any], file: str) -> GroupMetrics:
    """Reduce a validated metrics document to the gate's view of it (pure)."""
    if document["kind"] != "group":
        return _summary(document["group"], file, document, None, {})
    rows = (
        (
            entry["nodeid"],
            entry["outcome"],
            entry["duration"],
            entry.get("message"),
            entry.get("line"),
            entry if entry.get("reruns") or "classification" in entry else None,
        )
        for entry in document["tests"]
    )
    return _reduced(document, rows, file)


def _reduced(head: Mapping[str, Any], rows: Iterable[Row], file: str) -> GroupMetrics:
    """The one reduction of a group's entries: every test's (outcome, seconds), collectors left
    out; the detail of every test or collector that did not pass; the flaky tests."""
    seconds: dict[str, float] = {}
    not_passed: dict[str, str] = {}
    details: dict[str, TestDetail] = {}
    flaky: dict[str, str | None] = {}
    for name, outcome, phases, message, line, retried in rows:
        # Interned: a baseline's nodeids then share the current run's strings (-7% peak memory).
        nodeid = sys.intern(name)
        if outcome != "passed":
            details[nodeid] = TestDetail(outcome, message, line)
        if "collect" not in phases:
            seconds[nodeid] = sum(phases.values())
            if outcome != "passed":
                not_passed[nodeid] = outcome
            elif nodeid in not_passed:  # listed twice: the later entry wins, as for its seconds
                del not_passed[nodeid]
            if retried is not None and status_of(retried) == "flaky":
                flaky[nodeid] = flaky_evidence(retried)
    summary = _summary(head["group"], file, head, TestResults(seconds, not_passed), details)
    return dataclasses.replace(summary, flaky=flaky) if flaky else summary


def load_group(path: Path) -> tuple[str, GroupMetrics]:
    """The kind and the gate's view of one metrics file, validated as `load_metrics` does.

    The entries are decoded into typed structs (validated while parsed, no dict per test);
    a file the typed decoder does not vouch for is read by `load_metrics`, which owns every
    error message.
    """
    try:
        head, entries = decode(path)
    except Fallback:
        document = load_metrics(path)
        return document["kind"], group_from_document(document, str(path))
    if head["kind"] != "group":
        return head["kind"], _summary(head["group"], str(path), head, None, {})
    return "group", _reduced(head, entry_rows(entries), str(path))


def _summary(
    name: str,
    file: str,
    doc: Mapping[str, Any],
    tests: TestResults | None,
    details: dict[str, TestDetail],
) -> GroupMetrics:
    coverage = doc.get("coverage")
    counts = {key: int(doc["counts"][key]) for key in COUNT_KEYS}
    process = doc["duration"].get("process")
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
        process=float(process) if process is not None else None,
    )


#: After a partial `mmpgate run`, the older total no longer matches the group files.
STALE_TOTAL_HINT = (
    "(an older total: run `mmpgate combine` again, or gate only the groups that ran with "
    "`mmpgate check --groups NAME,...`)"
)


def load_metrics_dir(
    directory: Path,
    preloaded: Mapping[Path, MetricsDocument] | None = None,
    only: Collection[str] | None = None,
) -> MetricsSet:
    """Every `metrics.<group>.json` of a directory and its `metrics.total.json` when present.

    With `only`, just those groups are kept and the total is left out (it sums every group).
    """
    known = preloaded or {}

    def load(path: Path) -> tuple[str, GroupMetrics]:
        document = known.get(path)
        if document is None:
            return load_group(path)
        return document["kind"], group_from_document(document, str(path))

    groups: dict[str, GroupMetrics] = {}
    for _path, (_kind, group) in read_groups(directory, load, _kind_and_name):
        if only is None or group.name in only:
            groups[group.name] = group
    total: GroupMetrics | None = None
    total_path = directory / TOTAL_FILE
    if total_path.exists() and only is None:
        total_doc = (preloaded or {}).get(total_path) or load_metrics(total_path)
        if total_doc["kind"] != "total":
            raise InputError(
                located(total_path, "$.kind", f"expected 'total', got {total_doc['kind']!r}")
            )
        total = group_from_document(total_doc, str(total_path))
        check_total(total_doc, groups, total_path)
    completeness = load_assignment(directory, list(groups)) if only is None else None
    return MetricsSet(
        source=str(directory),
        groups=dict(sorted(groups.items())),
        total=total,
        assignment=completeness,
    )


def _kind_and_name(view: tuple[str, GroupMetrics]) -> tuple[str, str]:
    return view[0], view[1].name


def check_total(total_doc: MetricsDocument, groups: Mapping[str, GroupMetrics], file: Path) -> None:
    """A total must be the sum of the directory's groups; a stale one is refused."""
    listed = total_doc.get("groups")
    if listed is not None and sorted(listed) != sorted(groups):
        raise InputError(
            located(
                file,
                "$.groups",
                f"expected the groups of the directory's files {sorted(groups)}, got {sorted(listed)}"
                f" {STALE_TOTAL_HINT}",
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
                    f" {STALE_TOTAL_HINT}",
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
        process=(
            sum(g.process for g in members if g.process is not None)
            if members and all(g.process is not None for g in members)
            else None
        ),
    )


def load_baseline(path: Path) -> MetricsSet | None:
    """A directory or a single metrics file of an earlier run; None when the path does not exist."""
    if not path.exists():
        return None
    if path.is_dir():
        return load_metrics_dir(path)
    kind, group = load_group(path)
    if kind == "group":
        return MetricsSet(source=str(path), groups={group.name: group})
    document = load_metrics(path)  # a total: small, and its per-group summaries are read too
    summaries = document.get("groups") or {}
    groups = {
        name: _summary(name, f"{path} $.groups.{name}", summary, None, {})
        for name, summary in sorted(summaries.items())
    }
    return MetricsSet(
        source=str(path), groups=groups, total=group_from_document(document, str(path))
    )
