"""The gate: a pure, total function from metrics, thresholds and a baseline to a verdict.

Precision (the values compared are the values printed):
- rates are exact fractions of the counts, compared with the threshold exactly as written;
- durations are rounded to milliseconds and coverage to hundredths of a percent, half to even;
  `min_coverage: 100` needs exactly 100 before rounding;
- a value equal to its threshold passes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from mmpgate.gate import flaky_rules
from mmpgate.gate.completeness import assignment_rows
from mmpgate.gate.flaky_rules import FlakyInputs
from mmpgate.gate.quantities import exact, round_percent, round_seconds
from mmpgate.gate.regression import regression_rows
from mmpgate.gate.thresholds import Rules, Thresholds
from mmpgate.gate.verdict import Figures, Quantity, Result, Row, TestNote, Unit, Verdict
from mmpgate.metrics.format import FAILING_OUTCOMES as _FAILING
from mmpgate.metrics.names import TOTAL
from mmpgate.metrics.results import GroupMetrics, MetricsSet, summed


def evaluate(
    metrics: MetricsSet,
    thresholds: Thresholds,
    baseline: MetricsSet | None,
    flaky: FlakyInputs | None = None,
) -> Verdict:
    """Evaluate every rule for every group and for the total; never compute from partial data."""
    inputs = flaky or FlakyInputs()
    rows: list[Row] = []
    figures: list[Figures] = []
    partial: list[str] = []
    required = set(thresholds.require_groups)
    names = sorted(required | set(metrics.groups) | set(thresholds.groups))
    if not names:
        rows.append(
            Row("present", "*", Result.FAIL, detail=f"no metrics.<group>.json in {metrics.source}")
        )
    evaluated: list[GroupMetrics] = []
    checked: list[GroupMetrics] = []
    for name in names:
        group = metrics.groups.get(name)
        if group is not None:
            group = flaky_rules.annotate(group, inputs.quarantine)
        if group is None:
            if name in required:
                partial.append(f"{name} missing")
                rows.append(
                    Row(
                        "present",
                        name,
                        Result.FAIL,
                        detail=f"no metrics for group '{name}' in {metrics.source}",
                    )
                )
            else:
                rows.append(
                    Row("present", name, Result.SKIP, detail="not run (not in require_groups)")
                )
            continue
        evaluated.append(group)
        if not group.complete:
            partial.append(f"{name} incomplete")
            rows.append(
                Row(
                    "complete", name, Result.FAIL, detail=group.reason or "the run did not complete"
                )
            )
            continue
        if group.empty and name in required:
            partial.append(f"{name} empty")
            rows.append(Row("not_empty", name, Result.FAIL, detail=group.reason or "no test ran"))
            continue
        checked.append(group)
        figures.append(figures_of(group))
        rules = thresholds.rules_for(name)
        rows.extend(rule_rows(group, rules, excluded=flaky_rules.excluded_failures(group)))
        rows.extend(flaky_rules.group_rows(group, rules, inputs))
    total, total_source = _total(metrics, partial)
    if total is not None:
        excluded = [flaky_rules.excluded_failures(group) for group in checked]
        both = (sum(f for f, _ in excluded), sum(q for _, q in excluded))
        rows.extend(rule_rows(total, thresholds.total, total_source=total_source, excluded=both))
        rows.extend(flaky_rules.total_rows(checked, thresholds.total, inputs))
    elif _any_rule(thresholds.total):
        rows.append(
            Row(
                "complete",
                TOTAL,
                Result.FAIL,
                detail=f"not computed from partial data ({', '.join(partial)})",
            )
        )
    rows.extend(assignment_rows(metrics.assignment))
    lists = regression_rows(thresholds.regression, baseline, checked, total)
    rows.extend(lists.rows)
    per_test = all(group.tests is not None for group in checked)
    flaky_lists = flaky_rules.evaluate_flaky(checked, inputs, per_test=per_test)
    rows.extend(flaky_lists.rows)
    return Verdict(
        passed=not any(row.result is Result.FAIL for row in rows),
        rows=tuple(with_reason(row) for row in rows),
        groups=tuple(figures),
        total=figures_of(total) if total is not None else None,
        total_source=total_source,
        # Sorted, so that the lists do not come in xdist's completion order.
        failing=_in_order(_failing(evaluated)),
        new_failures=_in_order(lists.new_failures),
        removed=_in_order(lists.removed),
        newly_skipped=_in_order(lists.newly_skipped),
        slower=lists.slower,
        flaky=flaky_lists.flaky,
        new_flaky=flaky_lists.new_flaky,
        quarantined=flaky_lists.quarantined,
        expired=flaky_lists.expired,
        unmatched=flaky_lists.unmatched,
        release=flaky_lists.release,
        metrics_source=metrics.source,
        baseline_source=baseline.source if baseline is not None else thresholds.regression.baseline,
        thresholds_source=thresholds.source,
    )


def _in_order(notes: Iterable[TestNote]) -> tuple[TestNote, ...]:
    return tuple(sorted(notes, key=lambda note: (note.group, note.nodeid)))


def with_reason(row: Row) -> Row:
    """A failed row always says why: its own detail, else measured against the threshold."""
    if row.result is not Result.FAIL or row.detail:
        return row
    from mmpgate.report import quantity_text

    if row.measured is None or row.threshold is None:
        return dataclasses.replace(row, detail="failed")
    side = "below the minimum" if row.rule.startswith("min_") else "above the maximum"
    return dataclasses.replace(
        row, detail=f"{quantity_text(row.measured)} is {side} {quantity_text(row.threshold)}"
    )


def figures_of(group: GroupMetrics) -> Figures:
    """Headline numbers of a group or total."""
    counts = group.counts
    total = counts["total"]
    return Figures(
        name=group.name,
        total=total,
        failure_rate=Fraction(counts["failed"] + counts["errors"], total) if total else None,
        skip_rate=Fraction(counts["skipped"], total) if total else None,
        coverage=round_percent(group.coverage) if group.coverage is not None else None,
        duration=round_seconds(group.timed),
    )


def _any_rule(rules: Rules) -> bool:
    return any(getattr(rules, name) is not None for name in Rules.__slots__)


def _total(metrics: MetricsSet, partial: list[str]) -> tuple[GroupMetrics | None, str | None]:
    if partial:
        return None, None
    if metrics.total is not None:
        if not metrics.total.complete:
            partial.append("metrics.total.json incomplete")
            return None, None
        return metrics.total, metrics.total.file
    return summed(metrics.groups.values()), "sum of the group files"


def rule_rows(
    group: GroupMetrics,
    rules: Rules,
    *,
    total_source: str | None = None,
    excluded: tuple[int, int] = (0, 0),
) -> list[Row]:
    """The rows of one group's (or the total's) own rules.

    `excluded` is (flaky, quarantined) failing tests, left out of the failure numerator.
    """
    rows: list[Row] = []
    name, counts, total = group.name, group.counts, group.counts["total"]
    failing = counts["failed"] + counts["errors"] - sum(excluded)
    if rules.min_tests is not None:
        rows.append(_compare("min_tests", name, total, rules.min_tests, Unit.COUNT, at_most=False))
    for rule, limit, numerator in (
        ("max_failure_rate", rules.max_failure_rate, failing),
        ("max_skip_rate", rules.max_skip_rate, counts["skipped"]),
    ):
        if limit is None:
            continue
        if total == 0:
            rows.append(
                Row(
                    rule,
                    name,
                    Result.SKIP,
                    threshold=Quantity(limit, Unit.RATE),
                    detail="no test ran",
                )
            )
            continue
        measured = Quantity(Fraction(numerator, total), Unit.RATE, (numerator, total))
        row = _row(rule, name, measured.value <= limit, measured, Quantity(limit, Unit.RATE))
        if rule == "max_failure_rate" and any(excluded):
            row = dataclasses.replace(
                row, detail=f"not counted: {excluded[0]} flaky, {excluded[1]} quarantined"
            )
        rows.append(row)
    if rules.max_duration is not None:
        row = with_reason(
            _compare(
                "max_duration", name, round_seconds(group.timed), rules.max_duration, Unit.SECONDS
            )
        )
        reason = f"{row.detail}; " if row.detail else ""
        rows.append(dataclasses.replace(row, detail=f"{reason}{group.timed_by}"))
    if rules.min_coverage is not None:
        rows.append(_coverage_row(group, rules.min_coverage, total_source))
    if rules.max_reruns is not None:
        rows.append(_compare("max_reruns", name, counts["reruns"], rules.max_reruns, Unit.COUNT))
    return rows


def _coverage_row(group: GroupMetrics, minimum: Decimal, total_source: str | None) -> Row:
    threshold = Quantity(minimum, Unit.PERCENT)
    if group.coverage is None:
        if total_source is None:
            why = "no coverage measured for the group (run it with coverage and an XML report)"
        else:
            why = f"no combined coverage (total from {total_source}): run `mmpgate combine`"
        return Row("min_coverage", group.name, Result.FAIL, threshold=threshold, detail=why)
    measured = round_percent(group.coverage)
    # As coverage.py does: 100 must be reached exactly, rounding may not lift 99.996 to it.
    ok = exact(group.coverage) == 100 if minimum == 100 else measured >= minimum
    return _row("min_coverage", group.name, ok, Quantity(measured, Unit.PERCENT), threshold)


def _compare(
    rule: str,
    group: str,
    value: int | Decimal,
    limit: int | Decimal,
    unit: Unit,
    *,
    at_most: bool = True,
) -> Row:
    ok = value <= limit if at_most else value >= limit
    return _row(rule, group, ok, Quantity(value, unit), Quantity(limit, unit))


def _row(rule: str, group: str, ok: bool, measured: Quantity, threshold: Quantity) -> Row:
    return Row(
        rule, group, Result.PASS if ok else Result.FAIL, measured=measured, threshold=threshold
    )


def _failing(groups: Iterable[GroupMetrics]) -> Iterable[TestNote]:
    for group in groups:
        for nodeid, detail in group.details.items():
            if nodeid in group.flaky or nodeid in group.quarantined:
                continue  # listed as flaky or quarantined
            if detail.outcome in _FAILING:
                yield TestNote(group.name, nodeid, detail.outcome, detail.message, detail.line)
