"""Counts JUnit test cases the way pytest's summary line counts the same run, as far as JUnit can.

What pytest's JUnit writer emits, per case (checked against real runs in the integration tests):
- pass: a bare `<testcase>`; a non-strict xpass looks exactly the same (counted passed here unless
  the console log's short summary lists it as XPASS);
- failure in the call, and a strict xpass: `<failure>`;
- error in setup: `<error message="failed on setup with ...">`;
- error in teardown after a pass: only `<error message="failed on teardown with ...">` on the case,
  while pytest counts "1 passed, 1 error": the pass is inferred from that message;
- error in teardown after a failure: a second `<testcase>` with the same name holding the `<error>`;
- skip: `<skipped type="pytest.skip">`; xfail: `<skipped type="pytest.xfail">`;
- collection error / skip of a module: a case with an empty classname and "collection failure" /
  "collection skipped" as message;
- a test cut short by `pytest.exit()`: a `<testcase>` with no name and no result (not counted);
- reruns of pytest-rerunfailures: not written at all; deselected items: not written at all.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

from mmpgate.collect.junit import ERROR, FAILURE, SKIPPED, Case
from mmpgate.metrics.document import Entry as MetricsEntry
from mmpgate.metrics.document import new_entry
from mmpgate.metrics.format import FAILING_OUTCOMES
from mmpgate.record import first_line

_TEARDOWN = "failed on teardown with"
_COLLECTION = ("collection failure", "collection skipped")
_LEGACY_STRICT_XPASS = "xfail-marked test passes unexpectedly"


@dataclasses.dataclass(slots=True)
class Entry:
    """One test (or collector) of the metrics' `tests` list."""

    nodeid: str
    outcome: str
    time: float
    collector: bool
    message: str | None
    line: int | None
    #: From Surefire's `<flakyFailure>` (failed runs before a pass) and `<rerunFailure>` (failed
    #: retries of a test that still failed), where the JUnit file has them.
    flaky_failures: int = 0
    rerun_failures: tuple[str | None, ...] = ()

    def as_entry(self, phases: dict[str, float] | None) -> MetricsEntry:
        """The `tests[]` item; `phases` from the console log replace the JUnit time when known.

        pytest's JUnit does not record reruns, so the entry carries none (unknown, not 0), unless
        the file has Surefire's rerun elements: `<flakyFailure>` on a pass are reruns (the test
        reads as flaky), `<rerunFailure>` on a failure are failed attempts (it reads as broken)."""
        if self.collector:
            duration = {"collect": self.time}
        elif phases:
            duration = phases
        else:
            duration = {"call": self.time}
        reruns = self.flaky_failures if self.flaky_failures and self.outcome == "passed" else None
        entry = new_entry(
            self.nodeid, self.outcome, duration, message=self.message, line=self.line, reruns=reruns
        )
        if self.rerun_failures and self.outcome in FAILING_OUTCOMES:
            entry["attempts"] = [
                {"outcome": "failed", "duration": 0.0, "message": first_line(m)}
                for m in self.rerun_failures
            ]
            entry["classification"] = "failed"
            entry["evidence"] = f"failed {len(self.rerun_failures)} rerun(s) (from the JUnit file)"
        return entry


@dataclasses.dataclass(slots=True)
class Tally:
    """Counts and per-test entries of the cases seen so far."""

    counts: Counter[str] = dataclasses.field(default_factory=Counter)
    tests: dict[str, Entry] = dataclasses.field(default_factory=dict)
    tests_sum: float = 0.0
    cases: int = 0
    inferred_passes: int = 0
    unnamed: int = 0
    marks: Counter[str] = dataclasses.field(default_factory=Counter)

    def add(self, case: Case, nodeid: str) -> None:
        """Count one `<testcase>` under the node id it was given."""
        self.cases += 1
        if not case.name:
            self.unnamed += 1  # pytest's trace of a test cut short by pytest.exit(): no outcome
            self.tests_sum += case.time
            return
        self.tests_sum += case.time
        earlier = self.tests.get(nodeid)
        outcome = None
        for mark in case.marks:
            self.marks[mark.tag] += 1
            key = _count_key(mark.tag, mark.type, mark.message)
            self.counts[key] += 1
            outcome = outcome or _OUTCOME[key]
        errors = [m for m in case.marks if m.tag == ERROR]
        teardown_only = (
            bool(errors)
            and len(errors) == len(case.marks)
            and all((m.message or "").startswith(_TEARDOWN) for m in errors)
        )
        if not case.marks or (teardown_only and not (earlier and earlier.outcome == "failed")):
            self.counts["passed"] += 1
            self.inferred_passes += teardown_only
        first = next(iter(case.marks), None)
        message = first_line(first.message) if first else None
        if earlier is None:
            self.tests[nodeid] = Entry(
                nodeid=nodeid,
                outcome=outcome or "passed",
                time=case.time,
                collector=not case.classname and first is not None and first.message in _COLLECTION,
                message=message,
                line=case.line + 1 if case.line is not None else None,
                flaky_failures=case.flaky_failures,
                rerun_failures=case.rerun_failures,
            )
            return
        earlier.time += case.time
        if outcome is not None and earlier.outcome == "passed":
            earlier.outcome, earlier.message = outcome, message

    def reclassify_xpass(self, nodeid: str) -> bool:
        """Turn a JUnit pass the console log names XPASS into an xpass; False if it was no pass."""
        entry = self.tests.get(nodeid)
        if entry is None or entry.outcome != "passed":
            return False
        entry.outcome = "xpassed"
        self.counts["passed"] -= 1
        self.counts["xpassed"] += 1
        return True


_OUTCOME = {
    "failed": "failed",
    "errors": "error",
    "skipped": "skipped",
    "xfailed": "xfailed",
}


def _count_key(tag: str, type_: str | None, message: str | None) -> str:
    if tag == FAILURE:
        return "failed"
    if tag == ERROR:
        return "errors"
    assert tag == SKIPPED
    if type_ == "pytest.xfail":
        return "xfailed"
    if message == _LEGACY_STRICT_XPASS:
        return "failed"  # older pytest wrote a strict xpass this way; pytest counts it failed
    return "skipped"
