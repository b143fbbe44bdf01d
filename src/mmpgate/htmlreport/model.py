"""What the HTML report shows, gathered from a results directory, thresholds and earlier runs."""

from __future__ import annotations

import dataclasses
import heapq
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mmpgate.gate.thresholds import Rules, Thresholds
from mmpgate.gate.verdict import Verdict
from mmpgate.metrics.format import FAILING_OUTCOMES
from mmpgate.metrics.reading import (
    GroupDocument,
    entry_seconds,
    flaky_evidence,
    group_documents,
    is_collector,
    is_flaky,
    retry_count,
)
from mmpgate.trends import RunPoint

SLOWEST = 20
#: Tests listed by name; past that the page says how many more (a 100,000-test run stays small).
LIST_LIMIT = 500


@dataclasses.dataclass(frozen=True, slots=True)
class TestLine:
    """A test named on the page."""

    group: str
    nodeid: str
    outcome: str
    seconds: float
    message: str | None = None
    line: int | None = None
    retries: int = 0
    evidence: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Limits:
    """The thresholds a group is drawn against (None: no limit)."""

    max_failure_rate: float | None = None
    max_skip_rate: float | None = None
    min_coverage: float | None = None
    max_duration: float | None = None

    @classmethod
    def of(cls, rules: Rules) -> Limits:
        """The drawable part of a group's rules."""

        def number(value: Any) -> float | None:
            return None if value is None else float(value)

        return cls(
            number(rules.max_failure_rate),
            number(rules.max_skip_rate),
            number(rules.min_coverage),
            number(rules.max_duration),
        )


@dataclasses.dataclass(frozen=True, slots=True)
class GroupView:
    """One group's (or the total's) figures."""

    name: str
    counts: Mapping[str, int]
    flaky: int
    wall: float
    tests_sum: float
    coverage: float | None
    complete: bool
    reason: str | None
    limits: Limits

    @property
    def total(self) -> int:
        """Outcome total."""
        return self.counts["total"]

    def rate(self, count: int) -> float | None:
        """`count / total`; None when nothing ran."""
        return count / self.total if self.total else None


@dataclasses.dataclass(frozen=True, slots=True)
class Listing:
    """The first tests of a list, and how many there were in all."""

    tests: tuple[TestLine, ...]
    count: int


@dataclasses.dataclass(frozen=True, slots=True)
class ReportData:
    """Everything the page draws."""

    source: str
    groups: tuple[GroupView, ...]
    total: GroupView | None
    slowest: tuple[TestLine, ...]
    failing: Listing
    flaky: Listing
    trend: tuple[RunPoint, ...] = ()
    verdict: Verdict | None = None
    finished: str | None = None
    trend_source: str | None = None


@dataclasses.dataclass(slots=True)
class _Collector:
    slowest: list[tuple[float, int, TestLine]] = dataclasses.field(default_factory=list)
    failing: list[TestLine] = dataclasses.field(default_factory=list)
    failing_count: int = 0
    flaky: list[TestLine] = dataclasses.field(default_factory=list)
    flaky_count: int = 0
    seen: int = 0

    def add(self, group: str, entry: Mapping[str, Any]) -> bool:
        # Called once per test (100,000s): a TestLine is built only for a test the page names.
        seconds = entry_seconds(entry)
        self.seen += 1
        slow = not is_collector(entry) and (
            len(self.slowest) < SLOWEST or seconds > self.slowest[0][0]
        )
        failing = entry["outcome"] in FAILING_OUTCOMES
        flaky = is_flaky(entry)
        if not (slow or failing or flaky):
            return False
        line = TestLine(
            group,
            entry["nodeid"],
            entry["outcome"],
            seconds,
            entry.get("message"),
            entry.get("line"),
            retry_count(entry),
            flaky_evidence(entry) if flaky else entry.get("evidence"),
        )
        if slow:
            item = (seconds, -self.seen, line)
            if len(self.slowest) < SLOWEST:
                heapq.heappush(self.slowest, item)
            else:
                heapq.heapreplace(self.slowest, item)
        if failing:
            self.failing_count += 1
            if len(self.failing) < LIST_LIMIT:
                self.failing.append(line)
        if flaky:
            self.flaky_count += 1
            if len(self.flaky) < LIST_LIMIT:
                self.flaky.append(line)
        return flaky


def _view(document: GroupDocument, flaky: int, limits: Limits) -> GroupView:
    data = document.data
    coverage = data.get("coverage")
    return GroupView(
        name=document.group if document.shard is None else f"{document.group} {document.shard}",
        counts=dict(data["counts"]),
        flaky=flaky,
        wall=float(data["duration"]["wall"]),
        tests_sum=float(data["duration"]["tests_sum"]),
        coverage=float(coverage["percent"]) if coverage else None,
        complete=bool(data["complete"]),
        reason=data.get("reason"),
        limits=limits,
    )


def _total(groups: Sequence[GroupView], coverage: float | None, limits: Limits) -> GroupView:
    keys = groups[0].counts.keys()
    return GroupView(
        name="total",
        counts={key: sum(g.counts[key] for g in groups) for key in keys},
        flaky=sum(g.flaky for g in groups),
        wall=sum(g.wall for g in groups),
        tests_sum=sum(g.tests_sum for g in groups),
        coverage=coverage,
        complete=all(g.complete for g in groups),
        reason=None,
        limits=limits,
    )


def gather(
    directory: Path,
    thresholds: Thresholds | None,
    *,
    total_coverage: float | None = None,
    trend: Sequence[RunPoint] = (),
    trend_source: str | None = None,
    verdict: Verdict | None = None,
) -> ReportData:
    """Read the group files one at a time and keep what the page shows."""
    collector = _Collector()
    groups: list[GroupView] = []
    finished: str | None = None
    for document in group_documents(directory):
        flaky = sum(collector.add(document.group, entry) for entry in document.data["tests"])
        rules = thresholds.rules_for(document.group) if thresholds is not None else Rules()
        groups.append(_view(document, flaky, Limits.of(rules)))
        ended = (document.data.get("environment") or {}).get("finished")
        finished = max(filter(None, (finished, ended)), default=None)
    total_limits = Limits.of(thresholds.total) if thresholds is not None else Limits()
    total = _total(groups, total_coverage, total_limits) if len(groups) > 1 else None
    slowest = tuple(line for _, _, line in sorted(collector.slowest, reverse=True))
    return ReportData(
        source=str(directory),
        groups=tuple(groups),
        total=total,
        slowest=slowest,
        failing=Listing(tuple(collector.failing), collector.failing_count),
        flaky=Listing(tuple(collector.flaky), collector.flaky_count),
        trend=tuple(trend),
        verdict=verdict,
        finished=finished,
        trend_source=trend_source,
    )
