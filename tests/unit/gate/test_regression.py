"""The gate's regression rules against a baseline, and the missing-baseline policies."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from mmpgate.gate.rules import evaluate
from mmpgate.gate.thresholds import Thresholds, thresholds_from_document
from mmpgate.gate.verdict import Result, Row, Verdict
from mmpgate.metrics.results import MetricsSet


def rules(**regression: Any) -> Thresholds:
    """Thresholds with only these regression rules (and the built-in group defaults)."""
    return thresholds_from_document({"version": 1, "regression": regression}, "thresholds.yml")


def row(verdict: Verdict, rule: str, group: str = "unit") -> Row:
    """The one row of `rule` for `group`."""
    found = [r for r in verdict.rows if r.rule == rule and r.group == group]
    assert len(found) == 1, verdict.rows
    return found[0]


@pytest.mark.parametrize(
    ("policy", "result", "passed"),
    [("pass", Result.SKIP, True), ("warn", Result.WARN, True), ("fail", Result.FAIL, False)],
)
def test_missing_baseline_follows_policy(group, run, ok, policy, result, passed):
    """No baseline at all: one row whose result is the policy's, and the verdict follows."""
    t = rules(baseline="old", on_missing_baseline=policy, max_new_failures=0)
    verdict = evaluate(run(group("unit", ok(2))), t, None)
    found = row(verdict, "baseline", "*")
    assert found.result is result
    assert found.detail is not None
    assert "old" in found.detail
    assert verdict.passed is passed


def test_missing_baseline_defaults_to_warn(group, run, ok):
    """Without on_missing_baseline a missing baseline warns."""
    verdict = evaluate(run(group("unit", ok(2))), rules(max_new_failures=0), None)
    assert row(verdict, "baseline", "*").result is Result.WARN
    assert verdict.passed


@pytest.mark.parametrize("policy", ["pass", "warn", "fail"])
def test_group_missing_from_baseline_follows_policy(group, run, ok, policy):
    """A group the baseline lacks is a missing baseline for that group only."""
    base = run(group("e2e", ok(2)))
    verdict = evaluate(
        run(group("unit", ok(2))), rules(on_missing_baseline=policy, max_removed_tests=0), base
    )
    assert (
        row(verdict, "baseline").result
        is {"pass": Result.SKIP, "warn": Result.WARN, "fail": Result.FAIL}[policy]
    )


def test_incomplete_baseline_group_is_not_compared(group, run, ok):
    """An interrupted baseline group is treated as missing, never as the tests it did not reach."""
    base = run(group("unit", ok(1), exit_status=2, interrupted=True))
    verdict = evaluate(
        run(group("unit", ok(3))), rules(on_missing_baseline="fail", max_removed_tests=0), base
    )
    assert row(verdict, "baseline").detail is not None
    assert "incomplete" in str(row(verdict, "baseline").detail)
    assert not [r for r in verdict.rows if r.rule == "max_removed_tests"]


def test_no_regression_rules_means_no_baseline_row(group, run, ok):
    """Without regression rules a missing baseline is not mentioned at all."""
    verdict = evaluate(run(group("unit", ok(1))), rules(baseline="old"), None)
    assert not [r for r in verdict.rows if r.rule == "baseline"]


@pytest.mark.parametrize(
    ("now", "limit", "expected"),
    [
        (12.0, "20%", Result.PASS),
        (12.001, "20%", Result.FAIL),
        (30.0, "200%", Result.PASS),
        (9.0, 0, Result.PASS),
    ],
)
def test_max_duration_increase_boundary(group, run, ok, now, limit, expected):
    """Wall time may grow by exactly the allowed fraction of the baseline's."""
    base = run(group("unit", ok(1), wall=10.0))
    verdict = evaluate(
        run(group("unit", ok(1), wall=now)), rules(max_duration_increase=limit), base
    )
    assert row(verdict, "max_duration_increase").result is expected


def test_duration_increase_against_zero_baseline_is_skipped(group, run, ok):
    """A baseline wall time of 0 gives no relative increase; the rule says so."""
    base = run(group("unit", ok(1), wall=0.0))
    verdict = evaluate(
        run(group("unit", ok(1), wall=3.0)), rules(max_duration_increase="20%"), base
    )
    assert row(verdict, "max_duration_increase").result is Result.SKIP


@pytest.mark.parametrize(
    ("now", "expected"),
    [(89.5, Result.PASS), (89.49, Result.FAIL), (89.495, Result.PASS), (91.0, Result.PASS)],
)
def test_max_coverage_drop_in_points(group, run, ok, now, expected):
    """A drop of exactly 0.5 points passes `max_coverage_drop: 0.5` (values rounded to 0.01)."""
    base = run(group("unit", ok(1), coverage=90.0))
    verdict = evaluate(run(group("unit", ok(1), coverage=now)), rules(max_coverage_drop=0.5), base)
    found = row(verdict, "max_coverage_drop")
    assert found.result is expected
    assert found.delta is not None
    assert found.delta.value == Decimal(str(now)).quantize(Decimal("0.01")) - 90


def test_coverage_lost_since_baseline_fails(group, run, ok):
    """Coverage measured in the baseline but not now fails the drop rule."""
    base = run(group("unit", ok(1), coverage=90.0))
    verdict = evaluate(run(group("unit", ok(1))), rules(max_coverage_drop=1), base)
    assert row(verdict, "max_coverage_drop").result is Result.FAIL


def test_coverage_drop_without_baseline_coverage_is_skipped(group, run, ok):
    """Nothing to compare with: skipped, not passed silently."""
    base = run(group("unit", ok(1)))
    verdict = evaluate(run(group("unit", ok(1), coverage=50.0)), rules(max_coverage_drop=1), base)
    assert row(verdict, "max_coverage_drop").result is Result.SKIP


@pytest.mark.parametrize(("skipped_now", "expected"), [(3, Result.PASS), (4, Result.FAIL)])
def test_max_skip_rate_increase_absolute(group, run, ok, skipped_now, expected):
    """1% skipped before, 3% now is +2 points: passes `2%`; 4% fails."""
    base = run(group("unit", [("s0", "skipped", 0.0), *ok(99)]))
    now = [(f"s{i}", "skipped", 0.0) for i in range(skipped_now)] + ok(100 - skipped_now)
    verdict = evaluate(run(group("unit", now)), rules(max_skip_rate_increase="2%"), base)
    assert row(verdict, "max_skip_rate_increase").result is expected


def _tests(*triples: tuple[str, str, float]) -> list[tuple[str, str, float]]:
    return list(triples)


def test_new_failures_count_only_tests_that_passed_before(group, run):
    """A test failing now that passed before is new; one that failed before or is new is not."""
    base = run(group("unit", _tests(("a", "passed", 0), ("b", "failed", 0), ("c", "passed", 0))))
    now = group(
        "unit",
        _tests(("a", "failed", 0), ("b", "failed", 0), ("c", "passed", 0), ("d", "failed", 0)),
    )
    t = rules(max_new_failures=0)
    verdict = evaluate(run(now), t, base)
    assert row(verdict, "max_new_failures").result is Result.FAIL
    assert [n.nodeid.rsplit("::", 1)[1] for n in verdict.new_failures] == ["a"]
    relaxed = evaluate(run(now), rules(max_new_failures=1), base)
    assert row(relaxed, "max_new_failures").result is Result.PASS


def test_removed_tests(group, run, ok):
    """Tests of the baseline that did not run now are counted, equal to the limit passes."""
    base = run(group("unit", ok(5)))
    now = run(group("unit", ok(3)))
    assert (
        row(evaluate(now, rules(max_removed_tests=2), base), "max_removed_tests").result
        is Result.PASS
    )
    verdict = evaluate(now, rules(max_removed_tests=1), base)
    assert row(verdict, "max_removed_tests").result is Result.FAIL
    assert sorted(n.nodeid.rsplit("::", 1)[1] for n in verdict.removed) == ["test_3", "test_4"]


def test_newly_skipped(group, run):
    """A test skipped now that ran before is newly skipped; one skipped in both is not."""
    base = run(group("unit", _tests(("a", "passed", 0), ("b", "skipped", 0))))
    now = run(group("unit", _tests(("a", "skipped", 0), ("b", "skipped", 0))))
    verdict = evaluate(now, rules(max_newly_skipped=0), base)
    assert row(verdict, "max_newly_skipped").result is Result.FAIL
    assert [n.nodeid.rsplit("::", 1)[1] for n in verdict.newly_skipped] == ["a"]


@pytest.mark.parametrize(
    ("before", "after", "slow"),
    [
        (1.0, 2.0, True),  # exactly 2x and exactly 1 s slower: slower (both bounds are >=)
        (1.0, 1.999, False),  # under 2x
        (0.5, 1.499, False),  # 3x but under 1 s more
        (0.5, 1.5, True),
        (0.0, 1.0, True),
    ],
)
def test_slow_test_factor_and_min_seconds(group, run, before, after, slow):
    """A test is slower when both the factor and the absolute slowdown are reached."""
    base = run(group("unit", _tests(("t", "passed", before))))
    now = run(group("unit", _tests(("t", "passed", after))))
    verdict = evaluate(now, rules(slow_test={"factor": 2.0, "min_seconds": 1.0}), base)
    assert row(verdict, "slow_test").result is (Result.FAIL if slow else Result.PASS)
    assert len(verdict.slower) == int(slow)


def test_slow_test_max_count(group, run):
    """max_count slower tests are allowed; equal passes."""
    base = run(group("unit", _tests(("a", "passed", 0.1), ("b", "passed", 0.1))))
    now = run(group("unit", _tests(("a", "passed", 5.0), ("b", "passed", 5.0))))
    spec = {"factor": 2, "min_seconds": "1s"}
    assert (
        row(evaluate(now, rules(slow_test={**spec, "max_count": 2}), base), "slow_test").result
        is Result.PASS
    )
    assert (
        row(evaluate(now, rules(slow_test={**spec, "max_count": 1}), base), "slow_test").result
        is Result.FAIL
    )


def test_baseline_without_per_test_results_skips_test_rules(group, run, ok):
    """A baseline given as a total file has no tests: per-test rules are skipped, not passed."""
    summary = group("unit", ok(2))
    base = MetricsSet(
        "total.json",
        {
            "unit": type(summary)(
                **{**{f: getattr(summary, f) for f in summary.__slots__}, "tests": None}
            )
        },
    )
    verdict = evaluate(run(group("unit", ok(1))), rules(max_removed_tests=0, slow_test={}), base)
    assert row(verdict, "max_removed_tests").result is Result.SKIP
    assert row(verdict, "slow_test").result is Result.SKIP


def test_total_coverage_drop_uses_both_totals(group, run, ok):
    """The total's coverage drop is checked when both runs have a combined total."""
    now_unit, base_unit = group("unit", ok(1)), group("unit", ok(1))
    now_total = type(now_unit)(
        **{
            **{f: getattr(now_unit, f) for f in now_unit.__slots__},
            "name": "total",
            "coverage": 80.0,
        }
    )
    base_total = type(base_unit)(
        **{
            **{f: getattr(base_unit, f) for f in base_unit.__slots__},
            "name": "total",
            "coverage": 82.0,
        }
    )
    verdict = evaluate(
        run(now_unit, total=now_total), rules(max_coverage_drop=1), run(base_unit, total=base_total)
    )
    assert row(verdict, "max_coverage_drop", "total").result is Result.FAIL
