"""The verdict as a user reads it: failing lists sorted, a reason on every failed row, durations
printed as they are written in thresholds.yml."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mmpgate.gate.quantities import seconds_text
from mmpgate.gate.rules import evaluate
from mmpgate.gate.thresholds import thresholds_from_document
from mmpgate.gate.verdict import Result
from mmpgate.report import render


@pytest.mark.parametrize(
    ("seconds", "text"),
    [("900", "15m"), ("5400", "1h30m"), ("3600", "1h"), ("90", "90.000s"), ("12.345", "12.345s"),
     ("59.9999", "1m"), ("0", "0.000s")],
)  # fmt: skip
def test_whole_minutes_print_as_written(seconds: str, text: str) -> None:
    """`15m` in thresholds prints as `15m`, not `900.000s`; other durations keep milliseconds."""
    assert seconds_text(Decimal(seconds)) == text


def test_failing_tests_are_sorted_not_in_completion_order(group, run) -> None:
    """Failing tests are listed by group and node id, whatever order the workers finished in."""
    unit = group(
        "unit", [("test_c", "failed", 0.1), ("test_a", "failed", 0.1), ("test_b", "failed", 0.1)]
    )
    verdict = evaluate(run(unit), thresholds_from_document({"version": 1}, "t.yml"), None)
    names = [note.nodeid.rsplit("::", 1)[1] for note in verdict.failing]
    assert names == ["test_a", "test_b", "test_c"]


def test_every_failed_row_has_a_reason(group, run, ok) -> None:
    """Each failed rule row carries a reason, shown in the text table after the result."""
    unit = group("unit", [("test_x", "failed", 0.1), *ok(3)], wall=1000.0, coverage=50.0)
    thresholds = thresholds_from_document(
        {"version": 1, "defaults": {"max_duration": "15m", "min_coverage": 90, "min_tests": 10}},
        "t.yml",
    )
    verdict = evaluate(run(unit), thresholds, None)
    failed = [row for row in verdict.rows if row.result is Result.FAIL]
    assert {row.rule for row in failed} >= {
        "max_duration",
        "min_coverage",
        "min_tests",
        "max_failure_rate",
    }
    for row in failed:
        assert row.detail, row
    duration = next(row for row in failed if row.rule == "max_duration")
    assert (
        duration.detail
        == "1000.000s is above the maximum 15m; session wall (pytest's session only)"
    )
    text = render(verdict, "text")
    assert "15m" in text
    assert "900.000s" not in text


@pytest.mark.parametrize(
    ("floor", "result"), [(None, Result.FAIL), ("1s", Result.PASS), ("0.2s", Result.FAIL)]
)
def test_duration_increase_has_an_absolute_floor(group, run, ok, floor, result) -> None:
    """1.38 s -> 1.75 s (+27 %) fails a 20 % limit, unless it grew by less than the floor."""
    regression: dict[str, object] = {"max_duration_increase": "20%"}
    if floor is not None:
        regression["min_duration_increase"] = floor
    thresholds = thresholds_from_document({"version": 1, "regression": regression}, "t.yml")
    before = run(group("e2e", ok(2), wall=1.38))
    now = run(group("e2e", ok(2), wall=1.75))
    verdict = evaluate(now, thresholds, before)
    row = next(row for row in verdict.rows if row.rule == "max_duration_increase")
    assert row.result is result
    if floor == "1s":
        assert row.detail == "grew by less than min_duration_increase (1.000s); session wall"
