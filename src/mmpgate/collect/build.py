"""Builds a metrics document from a JUnit XML, an optional coverage XML and an optional console log.

Completeness: a JUnit file is written at the end of every session, including one cut short by
Ctrl-C, `pytest.exit()`, `-x`/`--maxfail` or a collection error, and it says nothing about items
that never ran. So a file built from JUnit alone is always `complete: false`. With the console log,
the run is complete when its final summary line is present, no interruption or early stop banner
precedes it, and its counts agree with the JUnit file (where JUnit can tell). The summary line's
counts win; every disagreement is reported.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from mmpgate import __version__
from mmpgate.collect.console_log import ConsoleFacts, read_console_log
from mmpgate.collect.junit import Suites, read_cases
from mmpgate.collect.nodeid import junit_key, reconstruct
from mmpgate.collect.tally import Tally
from mmpgate.errors import UsageError
from mmpgate.metrics.document import (
    Counts,
    Environment,
    MetricsDocument,
    SlowTest,
    count_of,
    new_counts,
    new_document,
    new_duration,
    slowest_of,
)
from mmpgate.metrics.format import DEFAULT_SLOWEST, OUTCOME_KEYS
from mmpgate.metrics.names import group_name_problem

#: Keys JUnit and the summary line must agree on exactly; passed/xpassed are compared as a sum,
#: since JUnit writes a non-strict xpass as a pass.
_EXACT_KEYS = ("failed", "errors", "skipped", "xfailed")
_JUNIT_ONLY = (
    "built from a JUnit XML alone, which cannot show that the run was whole "
    "(pass --console-log with pytest's output)"
)


@dataclasses.dataclass(frozen=True, slots=True)
class Inputs:
    """What `mmpgate collect` was given."""

    junit: Path
    group: str
    coverage_xml: Path | None = None
    console_log: Path | None = None
    slowest: int = DEFAULT_SLOWEST


@dataclasses.dataclass(frozen=True, slots=True)
class Result:
    """The metrics document and the warnings to show (mismatches, inferences)."""

    document: MetricsDocument
    notes: tuple[str, ...]


def collect(inputs: Inputs) -> Result:
    """Read the artifacts and build the metrics document (validated against the schema)."""
    problem = group_name_problem(inputs.group)
    if problem is not None:
        raise UsageError(f"--group: {problem}")
    if inputs.slowest < 0:
        raise UsageError(f"--slowest: expected 0 or more, got {inputs.slowest}")
    console = read_console_log(inputs.console_log) if inputs.console_log else None
    known = {junit_key(nodeid): nodeid for nodeid in console.nodeids} if console else {}
    suites = Suites()
    tally = Tally()
    exact = 0
    for case in read_cases(inputs.junit, suites):
        if not case.name:
            tally.add(case, "")
            continue
        nodeid = known.get((case.classname, case.name))
        exact += nodeid is not None or case.file is not None
        tally.add(case, nodeid or reconstruct(case.classname, case.name, case.file))
    notes: list[str] = []
    if tally.unnamed:
        notes.append(
            f"{tally.unnamed} unnamed <testcase> left uncounted "
            "(pytest writes one for a test cut short by pytest.exit())"
        )
    if console:
        missing = [n for n in sorted(console.xpassed) if not tally.reclassify_xpass(n)]
        if missing:
            notes.append(f"console log lists XPASS for tests JUnit has no pass for: {missing[:5]}")
    counts, mismatches = _counts(tally, console)
    notes.extend(mismatches)
    coverage = None
    if inputs.coverage_xml is not None:
        from mmpgate.metrics.coverage_xml import read_totals

        coverage = read_totals(inputs.coverage_xml)
    state = _state(console, mismatches, empty=counts["total"] == 0, unnamed=tally.unnamed)
    document = new_document(
        kind="group",
        group=inputs.group,
        complete=state.complete,
        stopped_early=state.stopped_early,
        interrupted=state.interrupted,
        reason=state.reason,
        exit_status=None,
        collected=_collected(console),
        counts=counts,
        duration=new_duration(
            console.summary.wall if console and console.summary else suites.time, tally.tests_sum
        ),
        tests=[
            e.as_entry(console.durations.get(e.nodeid) if console else None)
            for e in tally.tests.values()
        ],
        slowest=_slowest(tally, console, inputs.slowest),
        coverage=coverage,
        environment=_environment(console, suites),
        source=_source(inputs, console, exact=exact, cases=tally.cases),
    )
    return Result(document=document, notes=tuple(notes))


def _counts(tally: Tally, console: ConsoleFacts | None) -> tuple[Counts, list[str]]:
    """Final counts (the summary line's when there is one) and the disagreements with JUnit."""
    junit = new_counts({key: tally.counts[key] for key in OUTCOME_KEYS})
    if console is None or console.summary is None:
        return junit, []
    counts = new_counts(console.summary.counts)
    mismatches = [
        f"counts.{key}: JUnit has {count_of(junit, key)}, "
        f"the console summary line has {count_of(counts, key)}"
        for key in _EXACT_KEYS
        if count_of(junit, key) != count_of(counts, key)
    ]
    if junit["passed"] + junit["xpassed"] != counts["passed"] + counts["xpassed"]:
        mismatches.append(
            f"counts.passed+xpassed: JUnit has {junit['passed'] + junit['xpassed']}, "
            f"the console summary line has {counts['passed'] + counts['xpassed']}"
        )
    return counts, mismatches


@dataclasses.dataclass(frozen=True, slots=True)
class _State:
    complete: bool
    stopped_early: bool
    interrupted: bool
    reason: str | None


def _state(
    console: ConsoleFacts | None, mismatches: list[str], *, empty: bool, unnamed: int
) -> _State:
    interrupted = bool(console and console.interrupted) or unnamed > 0
    stopped = bool(console and console.stopped_early)
    reason: str | None
    if console is None:
        reason = _JUNIT_ONLY
    elif console.summary is None:
        reason = "the console log has no pytest summary line (cut short, or not pytest's output)"
    elif console.interrupted:
        reason = f"the console log shows the run was interrupted ({console.interrupted})"
    elif unnamed:
        reason = "the JUnit XML holds an unnamed test case: a test was cut short by pytest.exit()"
    elif console.stopped_early:
        reason = f"the console log shows the run stopped early ({console.stopped_early})"
    elif mismatches:
        reason = "the JUnit XML and the console summary line disagree: " + "; ".join(mismatches)
    else:
        reason = "no test ran" if empty else None
    complete = reason is None or reason == "no test ran"
    return _State(complete=complete, stopped_early=stopped, interrupted=interrupted, reason=reason)


def _collected(console: ConsoleFacts | None) -> int | None:
    if console is None:
        return None
    if console.selected is not None and console.summary is not None:
        return console.selected + console.summary.counts["deselected"]
    return console.collected


def _slowest(tally: Tally, console: ConsoleFacts | None, limit: int) -> list[SlowTest]:
    def total(nodeid: str, junit_time: float) -> float:
        phases = console.durations.get(nodeid) if console else None
        return sum(phases.values()) if phases else junit_time

    return slowest_of(
        ((total(e.nodeid, e.time), e.nodeid) for e in tally.tests.values() if not e.collector),
        limit,
    )


def _environment(console: ConsoleFacts | None, suites: Suites) -> Environment:
    started = suites.timestamp
    finished = None
    if started:
        try:
            start = dt.datetime.fromisoformat(started)
        except ValueError:
            pass
        else:
            finished = (start + dt.timedelta(seconds=suites.time)).isoformat(timespec="seconds")
            started = start.isoformat(timespec="seconds")
    return {
        "python": console.python if console else None,
        "platform": console.platform if console else None,
        "pytest": console.pytest if console else None,
        "xdist": console.xdist if console and console.workers else None,
        "workers": console.workers if console else 0,
        "git_commit": None,
        "command": [],
        "started": started,
        "finished": finished,
        "producer": f"collect mmpgate {__version__}",
    }


def _source(
    inputs: Inputs, console: ConsoleFacts | None, *, exact: int, cases: int
) -> dict[str, str | None]:
    unknown = ["exit_status", "environment.git_commit", "environment.command"]
    if console is None or console.summary is None:
        unknown[:0] = ["counts.deselected", "counts.reruns", "counts.xpassed (counted as passed)"]
    if _collected(console) is None:
        unknown.insert(0, "collected")
    if console is None:
        unknown.append("environment.workers")
    return {
        "producer": "collect",
        "junit": str(inputs.junit),
        "coverage_xml": str(inputs.coverage_xml) if inputs.coverage_xml else None,
        "console_log": str(inputs.console_log) if inputs.console_log else None,
        "nodeids": f"{exact} of {cases} test cases exact, the rest reconstructed from classname",
        "test_durations": (
            "phases from the console log's --durations list where listed, else the JUnit time "
            "(setup + call + teardown) recorded as call"
        ),
        "unknown": ", ".join(unknown),
    }
