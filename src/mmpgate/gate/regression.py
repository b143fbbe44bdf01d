"""The regression rules of the gate: this run against a baseline (pure, like `gate.evaluate`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from mmpgate.gate.quantities import round_percent, round_seconds, seconds_text
from mmpgate.gate.thresholds import MissingPolicy, Regression, SlowTest
from mmpgate.gate.verdict import Quantity, Result, Row, TestNote, Unit, count_row
from mmpgate.metrics.format import FAILING_OUTCOMES as _FAILING
from mmpgate.metrics.results import GroupMetrics, MetricsSet, TestResults

_POLICY_RESULT = {
    MissingPolicy.PASS: Result.SKIP,
    MissingPolicy.WARN: Result.WARN,
    MissingPolicy.FAIL: Result.FAIL,
}
_PASSING = frozenset(("passed", "xpassed"))


@dataclasses.dataclass(frozen=True, slots=True)
class RegressionLists:
    """Rows of the regression rules and the tests they name."""

    rows: tuple[Row, ...] = ()
    new_failures: tuple[TestNote, ...] = ()
    removed: tuple[TestNote, ...] = ()
    newly_skipped: tuple[TestNote, ...] = ()
    slower: tuple[TestNote, ...] = ()


def regression_rows(
    regression: Regression,
    baseline: MetricsSet | None,
    groups: Iterable[GroupMetrics],
    total: GroupMetrics | None,
) -> RegressionLists:
    """Compare each complete group (and the total's coverage) with the baseline."""
    if not regression.active:
        return RegressionLists()
    missing = _POLICY_RESULT[regression.on_missing_baseline]
    policy = f"on_missing_baseline: {regression.on_missing_baseline.value}"
    if baseline is None:
        where = (
            f"at {regression.baseline}"
            if regression.baseline
            else "given (regression.baseline or --baseline)"
        )
        return RegressionLists(
            rows=(Row("baseline", "*", missing, detail=f"no baseline {where} ({policy})"),)
        )
    rows: list[Row] = []
    notes: dict[str, list[TestNote]] = {"new": [], "removed": [], "skipped": [], "slower": []}
    for group in groups:
        before = baseline.groups.get(group.name)
        if before is None or not before.complete:
            state = "has no" if before is None else "has an incomplete"
            rows.append(
                Row(
                    "baseline",
                    group.name,
                    missing,
                    detail=f"{baseline.source} {state} group '{group.name}' ({policy})",
                )
            )
            continue
        rows.extend(_group_rows(regression, group, before, notes))
    if (
        total is not None
        and baseline.total is not None
        and regression.max_coverage_drop is not None
    ):
        rows.append(_coverage_drop(total, baseline.total, regression.max_coverage_drop))
    return RegressionLists(
        rows=tuple(rows),
        new_failures=tuple(notes["new"]),
        removed=tuple(notes["removed"]),
        newly_skipped=tuple(notes["skipped"]),
        slower=tuple(notes["slower"]),
    )


def _group_rows(
    regression: Regression,
    now: GroupMetrics,
    before: GroupMetrics,
    notes: dict[str, list[TestNote]],
) -> list[Row]:
    name = now.name
    rows: list[Row] = []
    if regression.max_duration_increase is not None:
        rows.append(
            _duration_increase(
                now, before, regression.max_duration_increase, regression.min_duration_increase
            )
        )
    if regression.max_coverage_drop is not None:
        rows.append(_coverage_drop(now, before, regression.max_coverage_drop))
    if regression.max_skip_rate_increase is not None:
        rows.append(_skip_increase(now, before, regression.max_skip_rate_increase))
    per_test: list[tuple[str, int | None, str]] = [
        ("max_new_failures", regression.max_new_failures, "new"),
        ("max_removed_tests", regression.max_removed_tests, "removed"),
        ("max_newly_skipped", regression.max_newly_skipped, "skipped"),
    ]
    slow = regression.slow_test
    wanted = [item for item in per_test if item[1] is not None]
    if not wanted and slow is None:
        return rows
    if now.tests is None or before.tests is None:
        rules = [rule for rule, _, _ in wanted] + (["slow_test"] if slow else [])
        rows.extend(
            Row(rule, name, Result.SKIP, detail="no per-test results in the baseline")
            for rule in rules
        )
        return rows
    found = {
        "new": list(_new_failures(now, before.tests)),
        "removed": [
            TestNote(name, nodeid, "removed")
            for nodeid in before.tests.seconds
            if nodeid not in now.tests.seconds
        ],
        "skipped": list(_newly_skipped(now, before.tests)),
    }
    for rule, limit, key in wanted:
        assert limit is not None
        notes[key].extend(found[key])
        rows.append(count_row(rule, name, len(found[key]), limit))
    if slow is not None:
        slower = list(_slower(now, before.tests, slow))
        notes["slower"].extend(slower)
        row = count_row("slow_test", name, len(slower), slow.max_count)
        detail = f"tests >= {slow.factor}x and >= {round_seconds(slow.min_seconds)}s slower"
        rows.append(dataclasses.replace(row, detail=detail))
    return rows


def _duration_increase(
    now: GroupMetrics, before: GroupMetrics, limit: Fraction, floor: Decimal | None = None
) -> Row:
    # The same clock on both sides: the process's when both files have it, else the session's.
    both = now.process is not None and before.process is not None
    current = round_seconds(now.timed if both else now.wall)
    previous = round_seconds(before.timed if both else before.wall)
    threshold = Quantity(limit, Unit.RELATIVE)
    measured, base = Quantity(current, Unit.SECONDS), Quantity(previous, Unit.SECONDS)
    if previous == 0:
        return Row(
            "max_duration_increase",
            now.name,
            Result.SKIP,
            measured,
            threshold,
            base,
            detail="baseline wall time is 0",
        )
    increase = (Fraction(current) - Fraction(previous)) / Fraction(previous)
    result = Result.PASS if increase <= limit else Result.FAIL
    clock = "process wall" if both else "session wall"
    detail = clock
    if result is Result.FAIL and floor is not None and current - previous < floor:
        # 1.38 s -> 1.75 s is +27 %, but under the floor: noise, not a regression.
        result = Result.PASS
        detail = f"grew by less than min_duration_increase ({seconds_text(floor)}); {clock}"
    elif result is Result.FAIL:
        from mmpgate.report import quantity_text

        grew = quantity_text(Quantity(increase, Unit.RELATIVE))
        detail = f"{grew} is above the maximum {quantity_text(threshold)}; {clock}"
    return Row(
        "max_duration_increase",
        now.name,
        result,
        measured,
        threshold,
        base,
        Quantity(increase, Unit.RELATIVE),
        detail=detail,
    )


def _coverage_drop(now: GroupMetrics, before: GroupMetrics, limit: Decimal) -> Row:
    threshold = Quantity(limit, Unit.POINTS)
    if before.coverage is None:
        return Row(
            "max_coverage_drop",
            now.name,
            Result.SKIP,
            threshold=threshold,
            detail="no coverage in the baseline",
        )
    previous = round_percent(before.coverage)
    base = Quantity(previous, Unit.PERCENT)
    if now.coverage is None:
        why = "coverage was measured in the baseline but not in this run"
        return Row(
            "max_coverage_drop",
            now.name,
            Result.FAIL,
            threshold=threshold,
            baseline=base,
            detail=why,
        )
    current = round_percent(now.coverage)
    drop = previous - current
    result = Result.PASS if drop <= limit else Result.FAIL
    delta = Quantity(current - previous, Unit.POINTS)
    return Row(
        "max_coverage_drop",
        now.name,
        result,
        Quantity(current, Unit.PERCENT),
        threshold,
        base,
        delta,
    )


def _skip_increase(now: GroupMetrics, before: GroupMetrics, limit: Fraction) -> Row:
    threshold = Quantity(limit, Unit.RATE)
    if now.total == 0 or before.total == 0:
        side = "this run" if now.total == 0 else "the baseline"
        return Row(
            "max_skip_rate_increase",
            now.name,
            Result.SKIP,
            threshold=threshold,
            detail=f"no test ran in {side}",
        )
    current = Fraction(now.counts["skipped"], now.total)
    previous = Fraction(before.counts["skipped"], before.total)
    result = Result.PASS if current - previous <= limit else Result.FAIL
    return Row(
        "max_skip_rate_increase",
        now.name,
        result,
        Quantity(current, Unit.RATE, (now.counts["skipped"], now.total)),
        threshold,
        Quantity(previous, Unit.RATE, (before.counts["skipped"], before.total)),
        Quantity(current - previous, Unit.RATE),
    )


def _note(group: GroupMetrics, nodeid: str, outcome: str) -> TestNote:
    detail = group.details.get(nodeid)
    if detail is None:
        return TestNote(group.name, nodeid, outcome)
    return TestNote(group.name, nodeid, outcome, detail.message, detail.line)


def _new_failures(now: GroupMetrics, before: TestResults) -> Iterable[TestNote]:
    # A flaky test (failed, then passed on a retry) or a quarantined one is no new failure.
    assert now.tests is not None
    for nodeid, outcome in now.tests.not_passed.items():  # the few that did not pass
        if outcome in _FAILING and nodeid not in now.flaky and nodeid not in now.quarantined:
            previous = before.get(nodeid)
            if previous is not None and previous[0] in _PASSING:
                yield _note(now, nodeid, outcome)


def _newly_skipped(now: GroupMetrics, before: TestResults) -> Iterable[TestNote]:
    assert now.tests is not None
    for nodeid, outcome in now.tests.not_passed.items():
        if outcome == "skipped":
            previous = before.get(nodeid)
            if previous is not None and previous[0] != "skipped":
                yield _note(now, nodeid, outcome)


def _slower(now: GroupMetrics, before: TestResults, rule: SlowTest) -> Iterable[TestNote]:
    assert now.tests is not None
    # A float pre-filter keeps the exact check off the 100,000s of tests that are clearly not slower.
    margin = float(rule.min_seconds) - 0.002
    earlier = before.seconds
    for nodeid, seconds in now.tests.seconds.items():
        previous = earlier.get(nodeid)
        if previous is None or seconds - previous < margin:
            continue
        after, prior = round_seconds(seconds), round_seconds(previous)
        if after >= rule.factor * prior and after - prior >= rule.min_seconds:
            yield TestNote(now.name, nodeid, now.tests[nodeid][0], before=prior, after=after)
