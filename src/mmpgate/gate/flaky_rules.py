"""The gate's flaky and quarantine rules (pure): what is excluded, what is counted, what is listed.

- A flaky test (failed, then passed on a retry) is not a failure for `max_failure_rate`; a
  quarantined test's failure is not either. Both are listed.
- `max_flaky`, `max_quarantined` count per group (and summed for the total); `max_new_flaky`
  counts flaky tests that are neither quarantined nor flaky in the history (0 when a history is
  given and the rule is not set; not checked without a history).
- An expired quarantine entry always fails, by name; an entry that holds no test is a warning.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence

from mmpgate.flaky.quarantine import Quarantine
from mmpgate.gate.thresholds import Rules
from mmpgate.gate.verdict import Quantity, Result, Row, TestNote, Unit, count_row
from mmpgate.metrics.format import FAILING_OUTCOMES
from mmpgate.metrics.results import GroupMetrics

_FAILING = FAILING_OUTCOMES


@dataclasses.dataclass(frozen=True, slots=True)
class HistoryFacts:
    """What the gate needs of the run history, for the tests of this run only."""

    source: str
    runs: int
    #: (group, nodeid) flaky in the recorded runs, by either definition of `flaky.history.stats`.
    flaky: frozenset[tuple[str, str]] = frozenset()
    #: (group, nodeid) that ran in the recent runs and passed in every one of them.
    passing: frozenset[tuple[str, str]] = frozenset()


@dataclasses.dataclass(frozen=True, slots=True)
class FlakyInputs:
    """The quarantine, today's date (for expiry) and the history, when given."""

    quarantine: Quarantine = dataclasses.field(default_factory=Quarantine)
    today: dt.date = dt.date.min
    history: HistoryFacts | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class FlakyLists:
    """Rows and lists of the flaky and quarantine rules."""

    rows: tuple[Row, ...] = ()
    flaky: tuple[TestNote, ...] = ()
    new_flaky: tuple[TestNote, ...] = ()
    quarantined: tuple[TestNote, ...] = ()
    expired: tuple[TestNote, ...] = ()
    unmatched: tuple[TestNote, ...] = ()
    release: tuple[TestNote, ...] = ()


def annotate(group: GroupMetrics, quarantine: Quarantine) -> GroupMetrics:
    """The group with `quarantined` set to the node ids (tests and collectors) an entry holds."""
    if not quarantine.entries:
        return group
    nodeids = set(group.details)
    if group.tests is not None:
        nodeids.update(group.tests)
    held = quarantine.matching(nodeids)
    return dataclasses.replace(group, quarantined=frozenset(held)) if held else group


def excluded_failures(group: GroupMetrics) -> tuple[int, int]:
    """(flaky, quarantined) failing tests left out of the failure numerator; a test counts once."""
    flaky = quarantined = 0
    for nodeid, detail in group.details.items():
        if detail.outcome not in _FAILING:
            continue
        if nodeid in group.quarantined:
            quarantined += 1
        elif nodeid in group.flaky:
            flaky += 1
    return flaky, quarantined


def new_flaky(group: GroupMetrics, history: HistoryFacts) -> list[str]:
    """Flaky now, not quarantined, and not flaky in the history."""
    return sorted(
        nodeid
        for nodeid in group.flaky
        if nodeid not in group.quarantined and (group.name, nodeid) not in history.flaky
    )


def group_rows(group: GroupMetrics, rules: Rules, inputs: FlakyInputs) -> list[Row]:
    """max_flaky, max_quarantined and max_new_flaky of one group."""
    rows: list[Row] = []
    if rules.max_flaky is not None:
        rows.append(count_row("max_flaky", group.name, len(group.flaky), rules.max_flaky))
    if rules.max_quarantined is not None:
        rows.append(
            count_row("max_quarantined", group.name, len(group.quarantined), rules.max_quarantined)
        )
    rows.extend(_new_flaky_rows(group.name, [group], rules, inputs))
    return rows


def total_rows(groups: Sequence[GroupMetrics], rules: Rules, inputs: FlakyInputs) -> list[Row]:
    """The same rules over every checked group together."""
    rows: list[Row] = []
    if rules.max_flaky is not None:
        count = sum(len(g.flaky) for g in groups)
        rows.append(count_row("max_flaky", "total", count, rules.max_flaky))
    if rules.max_quarantined is not None:
        count = sum(len(g.quarantined) for g in groups)
        rows.append(count_row("max_quarantined", "total", count, rules.max_quarantined))
    rows.extend(_new_flaky_rows("total", groups, rules, inputs, default=False))
    return rows


def _new_flaky_rows(
    name: str,
    groups: Sequence[GroupMetrics],
    rules: Rules,
    inputs: FlakyInputs,
    *,
    default: bool = True,
) -> list[Row]:
    limit = rules.max_new_flaky
    history = inputs.history
    if history is None:
        if limit is None:
            return []
        return [Row("max_new_flaky", name, Result.SKIP, detail="no history given (--history)")]
    if limit is None:
        if not default:
            return []
        limit = 0
    if history.runs == 0:
        return [
            Row("max_new_flaky", name, Result.SKIP, detail="the history has no recorded run yet")
        ]
    found = [nodeid for group in groups for nodeid in new_flaky(group, history)]
    row = count_row("max_new_flaky", name, len(found), limit)
    detail = f"not flaky in {history.runs} recorded runs: {', '.join(found[:3])}" if found else None
    return [dataclasses.replace(row, detail=detail)]


def quarantine_rows(
    groups: Sequence[GroupMetrics], inputs: FlakyInputs, *, per_test: bool
) -> tuple[list[Row], list[TestNote], list[TestNote]]:
    """Expired entries (fail, one row each) and entries that hold no test that ran (warn)."""
    rows: list[Row] = []
    expired: list[TestNote] = []
    unmatched: list[TestNote] = []
    quarantine = inputs.quarantine
    for entry in quarantine.entries:
        if entry.expired(inputs.today):
            text = f"{entry.test} expired {entry.expires.isoformat()} (owner {entry.owner}, {entry.issue})"
            rows.append(Row("quarantine_expired", "*", Result.FAIL, detail=text))
            expired.append(TestNote("*", entry.test, "expired", text))
    if per_test and quarantine.entries:
        held = set().union(*(g.quarantined for g in groups)) if groups else set()
        for entry in quarantine.entries:
            if not any(entry.holds(nodeid) for nodeid in held):
                unmatched.append(TestNote("*", entry.test, "unmatched", "holds no test that ran"))
        if unmatched:
            names = ", ".join(note.nodeid for note in unmatched[:3])
            rows.append(
                Row(
                    "quarantine_unmatched",
                    "*",
                    Result.WARN,
                    measured=Quantity(len(unmatched), Unit.COUNT),
                    detail=f"entries that hold no test that ran: {names}",
                )
            )
    return rows, expired, unmatched


def lists(
    groups: Sequence[GroupMetrics], inputs: FlakyInputs
) -> tuple[list[TestNote], list[TestNote], list[TestNote], list[TestNote]]:
    """(flaky, new flaky, quarantined failing, ready to release) notes of the checked groups."""
    flaky: list[TestNote] = []
    fresh: list[TestNote] = []
    quarantined: list[TestNote] = []
    release: list[TestNote] = []
    history = inputs.history
    for group in groups:
        for nodeid in sorted(group.flaky):
            flaky.append(TestNote(group.name, nodeid, "flaky", group.flaky[nodeid]))
        if history is not None:
            fresh.extend(
                TestNote(group.name, n, "flaky", group.flaky[n]) for n in new_flaky(group, history)
            )
        for nodeid in sorted(group.quarantined):
            entry = inputs.quarantine.match(nodeid)
            assert entry is not None
            detail = group.details.get(nodeid)
            outcome = detail.outcome if detail is not None else "passed"
            why = f"quarantined (owner {entry.owner}, {entry.issue})"
            if outcome in _FAILING:
                message = f"{why}: {detail.message}" if detail and detail.message else why
                quarantined.append(TestNote(group.name, nodeid, outcome, message))
            elif (
                outcome == "passed"
                and nodeid not in group.flaky
                and _passing(group.name, nodeid, history)
            ):
                since = f" and in the last {history.runs} recorded runs" if history else ""
                release.append(
                    TestNote(group.name, nodeid, "passed", f"passed in this run{since}; {why}")
                )
    return flaky, fresh, quarantined, release


def _passing(group: str, nodeid: str, history: HistoryFacts | None) -> bool:
    return history is None or (group, nodeid) in history.passing


def evaluate_flaky(
    groups: Iterable[GroupMetrics], inputs: FlakyInputs, *, per_test: bool
) -> FlakyLists:
    """Quarantine rows and every list (the per-group rows come from `group_rows`)."""
    members = list(groups)
    rows, expired, unmatched = quarantine_rows(members, inputs, per_test=per_test)
    flaky, fresh, quarantined, release = lists(members, inputs)
    return FlakyLists(
        rows=tuple(rows),
        flaky=tuple(flaky),
        new_flaky=tuple(fresh),
        quarantined=tuple(quarantined),
        expired=tuple(expired),
        unmatched=tuple(unmatched),
        release=tuple(release),
    )
