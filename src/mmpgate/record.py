"""Turns pytest reports into a metrics document, counting exactly as pytest's terminal summary does.

The recorder is fed the category that `pytest_report_teststatus` gives each report (the same call the
terminal reporter makes), collection reports that failed or skipped, and deselected items. It does no
I/O: the plugin feeds it and writes what `build()` returns.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

from mmpgate.metrics.document import (
    Coverage,
    Entry,
    Environment,
    MetricsDocument,
    Shard,
    new_counts,
    new_document,
    new_duration,
    new_entry,
    slowest_of,
)
from mmpgate.metrics.format import DEFAULT_SLOWEST, PHASES

#: pytest's terminal categories -> our count keys.
_CATEGORY_TO_COUNT = {
    "passed": "passed",
    "failed": "failed",
    "error": "errors",
    "skipped": "skipped",
    "xfailed": "xfailed",
    "xpassed": "xpassed",
    "rerun": "reruns",
    "deselected": "deselected",
}
_CATEGORY_TO_OUTCOME = {
    "passed": "passed",
    "failed": "failed",
    "error": "error",
    "skipped": "skipped",
    "xfailed": "xfailed",
    "xpassed": "xpassed",
}
MESSAGE_LIMIT = 500


@dataclasses.dataclass(slots=True)
class _TestEntry:
    nodeid: str
    outcome: str | None = None
    duration: dict[str, float] = dataclasses.field(default_factory=dict)
    reruns: int = 0
    message: str | None = None
    line: int | None = None

    def as_entry(self) -> Entry:
        assert self.outcome is not None
        return new_entry(
            self.nodeid,
            self.outcome,
            self.duration,
            message=self.message,
            line=self.line,
            reruns=self.reruns,
        )


@dataclasses.dataclass(frozen=True, slots=True)
class RunFacts:
    """What the plugin knows about the session when it ends."""

    group: str
    exit_status: int | None
    interrupted: bool
    stopped_early: bool
    collected: int | None
    wall: float
    environment: Environment
    coverage: Coverage | None
    source: dict[str, str | None]
    reason: str | None = None
    #: -x/--maxfail (or a plugin) asked pytest to stop; pytest-xdist then exits with status 2
    #: even when every test had already run.
    stop_asked: bool = False
    #: `--mmpgate-shard`: which shard of which split this run is.
    shard: Shard | None = None


class Recorder:
    """Accumulates reports; `build()` returns the metrics document."""

    def __init__(self, slowest: int = DEFAULT_SLOWEST) -> None:
        self._counts: Counter[str] = Counter()
        self._tests: dict[str, _TestEntry] = {}
        self._tests_sum = 0.0
        self._slowest = slowest

    def _entry(self, nodeid: str) -> _TestEntry:
        entry = self._tests.get(nodeid)
        if entry is None:
            entry = self._tests[nodeid] = _TestEntry(nodeid)
        return entry

    @property
    def finished_tests(self) -> int:
        """Number of distinct tests (not collectors) that reached an outcome."""
        return sum(
            1 for e in self._tests.values() if e.outcome is not None and "collect" not in e.duration
        )

    @property
    def failures(self) -> int:
        """failed + errors so far."""
        return self._counts["failed"] + self._counts["errors"]

    def add_test_report(
        self,
        *,
        nodeid: str,
        when: str,
        category: str,
        duration: float,
        counts: bool,
        message: str | None,
        line: int | None,
    ) -> None:
        """Record one TestReport with the category `pytest_report_teststatus` gave it."""
        entry = self._tests.get(nodeid)
        if entry is None:
            entry = self._tests[nodeid] = _TestEntry(nodeid)
        self._tests_sum += duration
        if not category:  # most reports (passed setup and teardown): a duration and nothing else
            if when in PHASES:
                entry.duration[when] = duration
            if entry.line is None:
                entry.line = line
            return
        if category == "rerun":
            entry.reruns += 1
            entry.duration.clear()
        elif when in PHASES:
            entry.duration[when] = duration
        if counts and category in _CATEGORY_TO_COUNT:
            self._counts[_CATEGORY_TO_COUNT[category]] += 1
        outcome = _CATEGORY_TO_OUTCOME.get(category)
        if outcome is not None and entry.outcome in (None, "passed"):
            entry.outcome = outcome
            if outcome != "passed":
                entry.message = message
        if line is not None and entry.line is None:
            entry.line = line

    def add_collect_report(
        self, *, nodeid: str, failed: bool, counts: bool, message: str | None
    ) -> None:
        """Record a collector that errored or was skipped (it is an outcome, but no item)."""
        category = "error" if failed else "skipped"
        if counts:
            self._counts[_CATEGORY_TO_COUNT[category]] += 1
        entry = self._entry(nodeid or "<session>")
        entry.duration.setdefault("collect", 0.0)
        if entry.outcome in (None, "passed"):
            entry.outcome = _CATEGORY_TO_OUTCOME[category]
            entry.message = message

    def add_deselected(self, count: int) -> None:
        """Record items deselected by -k, -m or a plugin."""
        self._counts["deselected"] += count

    def build(self, facts: RunFacts) -> MetricsDocument:
        """The metrics document (schema `metrics.schema.json`)."""
        counts = new_counts(self._counts)
        # A test interrupted before its outcome (Ctrl-C, pytest.exit()) is no outcome in pytest's
        # summary either: its durations stay in tests_sum, but it gets no entry.
        tests = [e.as_entry() for e in self._tests.values() if e.outcome is not None]
        slowest = slowest_of(
            (
                (sum(t["duration"].values()), t["nodeid"])
                for t in tests
                if "collect" not in t["duration"]
            ),
            self._slowest,
        )
        empty = counts["total"] == 0
        clean_exit = facts.exit_status in (0, 1, 5) or (facts.stop_asked and facts.exit_status == 2)
        complete = not facts.interrupted and not facts.stopped_early and clean_exit
        reason = facts.reason
        if reason is None:
            if facts.interrupted:
                reason = "the run was interrupted"
            elif facts.stopped_early:
                reason = "the run was stopped early by -x/--maxfail"
            elif not complete:
                reason = f"pytest ended with exit status {facts.exit_status}"
            elif empty:
                reason = "no test ran"
        return new_document(
            kind="group",
            group=facts.group,
            complete=complete,
            stopped_early=facts.stopped_early,
            interrupted=facts.interrupted,
            exit_status=facts.exit_status,
            reason=reason,
            collected=facts.collected,
            counts=counts,
            duration=new_duration(facts.wall, self._tests_sum),
            tests=tests,
            slowest=slowest,
            coverage=facts.coverage,
            environment=facts.environment,
            source=facts.source,
            shard=facts.shard,
        )


def first_line(text: str | None) -> str | None:
    """First non-empty line, cut to MESSAGE_LIMIT characters."""
    if not text:
        return None
    for raw in text.splitlines():
        line = raw.strip()
        if line:
            return line[:MESSAGE_LIMIT]
    return None
