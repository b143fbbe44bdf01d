"""The pure gate: every group and total rule, its boundary, rounding, empty and missing groups."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from mmpgate.gate.rules import evaluate
from mmpgate.gate.thresholds import Thresholds, thresholds_from_document
from mmpgate.gate.verdict import Result, Row, Verdict
from mmpgate.metrics.results import summed


def rules(**document: Any) -> Thresholds:
    """Thresholds from a document as YAML would give it."""
    return thresholds_from_document({"version": 1, **document}, "thresholds.yml")


def row(verdict: Verdict, rule: str, group: str) -> Row:
    """The one row of `rule` for `group`."""
    found = [r for r in verdict.rows if r.rule == rule and r.group == group]
    assert len(found) == 1, verdict.rows
    return found[0]


def test_all_rules_pass_on_a_clean_run(group, run, ok):
    """A complete run within every threshold passes and says so in every row."""
    unit = group("unit", ok(10), wall=5.0, coverage=90.0)
    verdict = evaluate(
        run(unit),
        rules(
            require_groups=["unit"],
            defaults={
                "max_skip_rate": "10%",
                "min_tests": 10,
                "max_duration": "5s",
                "min_coverage": 90,
                "max_reruns": 0,
            },
        ),
        None,
    )
    assert verdict.passed
    assert {r.rule for r in verdict.rows} == {
        "min_tests", "max_failure_rate", "max_skip_rate", "max_duration", "min_coverage", "max_reruns",
    }  # fmt: skip
    assert all(r.result is Result.PASS for r in verdict.rows)


@pytest.mark.parametrize(
    ("failed", "limit", "expected"),
    [
        (1, "1%", Result.PASS),  # 1/100 equals the threshold: passes
        (2, "1%", Result.FAIL),
        (0, 0, Result.PASS),
        (1, 0, Result.FAIL),
        (1, 0.01, Result.PASS),
    ],
)
def test_max_failure_rate_boundary(group, run, ok, failed, limit, expected):
    """The failure rate passes at the threshold and fails just above it."""
    tests = [(f"f{i}", "failed", 0.0) for i in range(failed)] + ok(100 - failed)
    verdict = evaluate(run(group("unit", tests)), rules(defaults={"max_failure_rate": limit}), None)
    assert row(verdict, "max_failure_rate", "unit").result is expected
    assert verdict.passed is (expected is Result.PASS)


def test_errors_count_as_failures(group, run, ok):
    """Setup/teardown errors count in the failure rate with failures."""
    unit = group("unit", [("e", "error", 0.0), *ok(99)])
    found = row(
        evaluate(run(unit), rules(defaults={"max_failure_rate": "1%"}), None),
        "max_failure_rate",
        "unit",
    )
    assert found.result is Result.PASS
    assert found.measured is not None
    assert found.measured.counts == (1, 100)


def test_failure_rate_is_exact_not_rounded(group, run, ok):
    """One failure in 100,000 tests breaks `max_failure_rate: 0` though it prints as 0.001%."""
    unit = group("unit", [("f", "failed", 0.0), *ok(99_999, 0.0)])
    verdict = evaluate(run(unit), rules(), None)
    found = row(verdict, "max_failure_rate", "unit")
    assert found.result is Result.FAIL
    assert found.measured is not None
    assert found.measured.value == Fraction(1, 100_000)


def test_default_failure_rate_is_zero(group, run, ok):
    """Without any rule a single failing test fails the gate (built-in default 0)."""
    verdict = evaluate(run(group("unit", [("f", "failed", 0.0), *ok(3)])), rules(), None)
    assert not verdict.passed
    assert row(verdict, "max_failure_rate", "unit").threshold is not None


@pytest.mark.parametrize(("skipped", "expected"), [(15, Result.PASS), (16, Result.FAIL)])
def test_max_skip_rate_boundary(group, run, ok, skipped, expected):
    """15 skipped of 100 passes `15%`; 16 fails."""
    tests = [(f"s{i}", "skipped", 0.0) for i in range(skipped)] + ok(100 - skipped)
    verdict = evaluate(run(group("unit", tests)), rules(defaults={"max_skip_rate": "15%"}), None)
    assert row(verdict, "max_skip_rate", "unit").result is expected


@pytest.mark.parametrize(("count", "expected"), [(5, Result.PASS), (4, Result.FAIL)])
def test_min_tests_boundary(group, run, ok, count, expected):
    """A group with exactly min_tests tests passes; one fewer fails."""
    verdict = evaluate(run(group("unit", ok(count))), rules(defaults={"min_tests": 5}), None)
    assert row(verdict, "min_tests", "unit").result is expected


@pytest.mark.parametrize(
    ("wall", "expected"),
    [
        (120.0, Result.PASS),
        (120.0004, Result.PASS),
        (120.0005, Result.PASS),
        (120.0006, Result.FAIL),
        (120.001, Result.FAIL),
    ],
)
def test_max_duration_rounds_to_milliseconds(group, run, ok, wall, expected):
    """Wall time is rounded half-to-even to ms, then compared: 120.0005 -> 120.000 passes `2m`."""
    verdict = evaluate(
        run(group("unit", ok(1), wall=wall)), rules(groups={"unit": {"max_duration": "2m"}}), None
    )
    assert row(verdict, "max_duration", "unit").result is expected


@pytest.mark.parametrize(
    ("percent", "minimum", "expected"),
    [
        (80.0, 80, Result.PASS),
        (79.995, 80, Result.PASS),  # rounds (half to even on the decimal written) to 80.00
        (79.994, 80, Result.FAIL),
        (79.99, 80, Result.FAIL),
        (99.996, 100, Result.FAIL),  # rounding may not reach 100
        (100.0, 100, Result.PASS),
    ],
)
def test_min_coverage_rounding(group, run, ok, percent, minimum, expected):
    """Coverage is rounded to hundredths before comparing; 100 needs exactly 100."""
    unit = group("unit", ok(1), coverage=percent)
    verdict = evaluate(run(unit), rules(groups={"unit": {"min_coverage": minimum}}), None)
    assert row(verdict, "min_coverage", "unit").result is expected


def test_min_coverage_without_coverage_fails_with_a_reason(group, run, ok):
    """A coverage rule on a group that measured none fails and says why."""
    verdict = evaluate(
        run(group("unit", ok(1))), rules(groups={"unit": {"min_coverage": 50}}), None
    )
    found = row(verdict, "min_coverage", "unit")
    assert found.result is Result.FAIL
    assert found.detail is not None
    assert "no coverage" in found.detail


@pytest.mark.parametrize(("reruns", "expected"), [(2, Result.PASS), (3, Result.FAIL)])
def test_max_reruns_boundary(group, run, ok, reruns, expected):
    """Reruns are counted against max_reruns, equal passes."""
    unit = group("unit", ok(2), reruns=reruns)
    assert unit.counts["reruns"] == reruns
    verdict = evaluate(run(unit), rules(defaults={"max_reruns": 2}), None)
    assert row(verdict, "max_reruns", "unit").result is expected


def test_required_group_missing_fails(group, run, ok):
    """A required group without metrics fails the gate; other groups are still evaluated."""
    verdict = evaluate(run(group("unit", ok(1))), rules(require_groups=["unit", "e2e"]), None)
    assert not verdict.passed
    assert row(verdict, "present", "e2e").result is Result.FAIL
    assert row(verdict, "max_failure_rate", "unit").result is Result.PASS


def test_unrequired_configured_group_missing_is_skipped(group, run, ok):
    """A group that has rules but is not required and did not run is shown as skipped."""
    verdict = evaluate(run(group("unit", ok(1))), rules(groups={"e2e": {"max_duration": 10}}), None)
    assert verdict.passed
    assert row(verdict, "present", "e2e").result is Result.SKIP


def test_required_empty_group_fails_even_with_min_tests_zero(group, run):
    """A required group in which no test ran fails: rates of nothing are not a pass."""
    empty = group("unit", [], exit_status=5)
    verdict = evaluate(run(empty), rules(require_groups=["unit"], defaults={"min_tests": 0}), None)
    assert not verdict.passed
    assert row(verdict, "not_empty", "unit").result is Result.FAIL
    assert [r.rule for r in verdict.rows if r.group == "unit"] == ["not_empty"]


def test_unrequired_empty_group_fails_min_tests_and_skips_rates(group, run):
    """An empty group that is not required fails the default min_tests; its rates are skipped."""
    verdict = evaluate(run(group("unit", [], exit_status=5)), rules(), None)
    assert row(verdict, "min_tests", "unit").result is Result.FAIL
    assert row(verdict, "max_failure_rate", "unit").result is Result.SKIP


def test_incomplete_group_fails_and_is_not_computed(group, run, ok):
    """An interrupted group fails `complete` and none of its rates are computed."""
    broken = group("unit", ok(3), exit_status=2, interrupted=True)
    verdict = evaluate(run(broken), rules(defaults={"max_skip_rate": "50%"}), None)
    assert not verdict.passed
    assert [(r.rule, r.result) for r in verdict.rows] == [("complete", Result.FAIL)]


def test_total_not_computed_from_partial_data(group, run, ok):
    """With a required group missing, total rules fail as not computed instead of using part."""
    verdict = evaluate(
        run(group("unit", ok(2))),
        rules(require_groups=["unit", "e2e"], total={"max_duration": "1h"}),
        None,
    )
    total = row(verdict, "complete", "total")
    assert total.result is Result.FAIL
    assert total.detail is not None
    assert "e2e missing" in total.detail
    assert verdict.total is None


def test_total_is_summed_from_groups_without_a_total_file(group, run, ok):
    """Without metrics.total.json the total counts and wall times are the groups' sums."""
    unit = group("unit", [("f", "failed", 0.0), *ok(9)], wall=3.0)
    e2e = group("e2e", ok(10), wall=4.5)
    verdict = evaluate(
        run(unit, e2e),
        rules(
            defaults={"max_failure_rate": "10%"},
            total={"max_failure_rate": "5%", "max_duration": "7.5s", "min_tests": 20},
        ),
        None,
    )
    assert row(verdict, "max_failure_rate", "total").result is Result.PASS
    assert row(verdict, "max_duration", "total").result is Result.PASS
    assert row(verdict, "min_tests", "total").result is Result.PASS
    assert verdict.total is not None
    assert verdict.total.failure_rate == Fraction(1, 20)
    assert verdict.total_source == "sum of the group files"


def test_total_coverage_is_never_averaged(group, run, ok):
    """Groups with coverage but no combined total: total min_coverage fails telling to combine."""
    verdict = evaluate(
        run(group("unit", ok(1), coverage=95.0), group("e2e", ok(1), coverage=95.0)),
        rules(total={"min_coverage": 50}),
        None,
    )
    found = row(verdict, "min_coverage", "total")
    assert found.result is Result.FAIL
    assert found.detail is not None
    assert "mmpgate combine" in found.detail


def test_total_file_is_used_for_total_rules(group, run, ok):
    """A combined total (with combined coverage) decides the total rules."""
    unit, e2e = group("unit", ok(1)), group("e2e", ok(1))
    combined = summed([unit, e2e])
    total = type(combined)(
        **{
            **{f: getattr(combined, f) for f in combined.__slots__},
            "coverage": 84.996,
            "file": "metrics.total.json",
        }
    )
    verdict = evaluate(run(unit, e2e, total=total), rules(total={"min_coverage": 85}), None)
    assert row(verdict, "min_coverage", "total").result is Result.PASS
    assert verdict.total is not None
    assert verdict.total.coverage == Decimal("85.00")
    assert verdict.total_source == "metrics.total.json"


def test_group_rules_override_defaults_key_by_key(group, run, ok):
    """A group's own rule replaces the default of that key only."""
    tests = [(f"s{i}", "skipped", 0.0) for i in range(20)] + ok(80)
    t = rules(
        defaults={"max_skip_rate": "15%", "min_tests": 200},
        groups={"e2e": {"max_skip_rate": "25%"}},
    )
    verdict = evaluate(run(group("e2e", tests)), t, None)
    assert row(verdict, "max_skip_rate", "e2e").result is Result.PASS
    assert row(verdict, "min_tests", "e2e").result is Result.FAIL


def test_no_groups_at_all_fails(run):
    """An empty metrics directory with nothing required is not a pass."""
    verdict = evaluate(run(), rules(), None)
    assert not verdict.passed
    assert verdict.rows[0].rule == "present"


def test_failing_tests_are_listed_with_message_and_line(group, run, ok):
    """Failing tests carry their group, nodeid, message and line for annotations."""
    verdict = evaluate(run(group("unit", [("bad", "failed", 0.1), *ok(1)])), rules(), None)
    (note,) = verdict.failing
    assert (note.group, note.nodeid, note.message, note.line) == (
        "unit", "tests/unit/test_mod.py::bad", "assert 1 == 2", 3,
    )  # fmt: skip
