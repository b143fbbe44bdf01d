"""The gate's flaky and quarantine rules: exclusions, counts, expiry, new flaky, lists."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from mmpgate.flaky.quarantine import Entry, Quarantine
from mmpgate.flaky.retries import Attempt, merge
from mmpgate.gate.flaky_rules import FlakyInputs, HistoryFacts
from mmpgate.gate.rules import evaluate
from mmpgate.gate.thresholds import Thresholds, thresholds_from_document
from mmpgate.gate.verdict import Result, Row, Verdict
from mmpgate.metrics.results import GroupMetrics, MetricsSet, group_from_document

TODAY = dt.date(2026, 12, 1)
PASS = Attempt("passed", 0.1, None)
FAIL = Attempt("failed", 0.1, "assert 0")


def nodeid(name: str) -> str:
    """The node id build_document gives a test of the unit group."""
    return f"tests/unit/test_mod.py::{name}"


def passing(count: int) -> list[tuple[str, str, float]]:
    """`count` passing tests."""
    return [(f"test_{i}", "passed", 0.01) for i in range(count)]


def metrics_set(*groups: GroupMetrics) -> MetricsSet:
    """A run made of these groups."""
    return MetricsSet(source="results", groups={g.name: g for g in groups})


def unit_group(
    build_document: Any, attempts: dict[str, list[Attempt]], workers: int = 2
) -> GroupMetrics:
    """8 passing tests and three failing ones (flaky, broken, quarantined), retried as given."""
    tests = [*passing(8), ("test_flaky", "failed", 0.1), ("test_broken", "failed", 0.1)]
    tests.append(("test_held", "failed", 0.1))
    document = build_document("unit", tests)
    document["environment"] = {"workers": workers}
    merged = merge(
        document,
        {nodeid(name): tried for name, tried in attempts.items()},
        max_attempts=3,
        processes=9,
    )
    return group_from_document(merged, "metrics.unit.json")


RETRIED = {"test_flaky": [PASS, PASS, PASS], "test_broken": [FAIL] * 3, "test_held": [FAIL] * 3}


def rules(**document: Any) -> Thresholds:
    """Thresholds from a document as YAML would give it."""
    return thresholds_from_document({"version": 1, **document}, "thresholds.yml")


def held(*tests: str, expires: dt.date = dt.date(2027, 1, 31)) -> Quarantine:
    """A quarantine holding these node ids."""
    return Quarantine(tuple(Entry(t, "why", "@team", "T-1", expires) for t in tests), "q.yml")


def row(verdict: Verdict, rule: str, group: str) -> Row:
    """The one row of `rule` for `group`."""
    found = [r for r in verdict.rows if r.rule == rule and r.group == group]
    assert len(found) == 1, verdict.rows
    return found[0]


def test_flaky_and_quarantined_failures_leave_the_failure_rate(document):
    """1 broken of 11 counts; the flaky and the quarantined failure are listed, not counted."""
    verdict = evaluate(
        metrics_set(unit_group(document, RETRIED)),
        rules(total={"max_failure_rate": 0}),
        None,
        FlakyInputs(held(nodeid("test_held")), TODAY),
    )
    rate = row(verdict, "max_failure_rate", "unit")
    assert rate.measured is not None
    assert rate.measured.value == Fraction(1, 11)
    assert rate.measured.counts == (1, 11)
    assert rate.detail == "not counted: 1 flaky, 1 quarantined"
    assert [n.nodeid for n in verdict.failing] == [nodeid("test_broken")]
    assert [(n.nodeid, n.message) for n in verdict.flaky] == [
        (nodeid("test_flaky"), "failed with 2 workers, passed 3/3 alone")
    ]
    assert [n.nodeid for n in verdict.quarantined] == [nodeid("test_held")]
    assert verdict.quarantined[0].message == "quarantined (owner @team, T-1): assert 1 == 2"
    total = row(verdict, "max_failure_rate", "total")
    assert total.measured is not None
    assert total.measured.counts == (1, 11)


def test_without_retries_every_failure_counts(document):
    """No attempts, no quarantine: pytest's own failed count is the numerator."""
    verdict = evaluate(metrics_set(unit_group(document, {})), rules(), None)
    rate = row(verdict, "max_failure_rate", "unit")
    assert rate.measured is not None
    assert rate.measured.counts == (3, 11)
    # The failed row's reason is the plain comparison: no flaky or quarantined test is named.
    assert rate.detail == "27.27% (3/11) is above the maximum 0.00%"
    assert verdict.flaky == ()


def test_a_run_whose_only_red_is_flaky_or_quarantined_passes(document):
    """A flaky test within max_flaky and a quarantined failure: the gate passes."""
    attempts = {"test_flaky": [FAIL, PASS, PASS], "test_broken": [PASS] * 3}
    verdict = evaluate(
        metrics_set(unit_group(document, attempts)),
        rules(defaults={"max_flaky": 2}),
        None,
        FlakyInputs(held(nodeid("test_held")), TODAY),
    )
    assert verdict.passed, verdict.rows
    assert row(verdict, "max_flaky", "unit").measured.value == 2  # type: ignore[union-attr]
    messages = {note.nodeid: note.message for note in verdict.flaky}
    assert messages == {
        nodeid("test_flaky"): "failed with 2 workers, passed 2/3 alone",
        nodeid("test_broken"): "failed with 2 workers, passed 3/3 alone",
    }


def test_max_flaky_and_max_quarantined_fail_over_their_limit(document):
    """Counts above the limits fail their rows, per group and for the total."""
    verdict = evaluate(
        metrics_set(unit_group(document, RETRIED)),
        rules(defaults={"max_flaky": 0, "max_quarantined": 0}, total={"max_flaky": 1}),
        None,
        FlakyInputs(held(nodeid("test_held")), TODAY),
    )
    assert row(verdict, "max_flaky", "unit").result is Result.FAIL
    assert row(verdict, "max_quarantined", "unit").result is Result.FAIL
    assert row(verdict, "max_flaky", "total").result is Result.PASS


def test_an_expired_entry_fails_by_name_and_an_unmatched_one_warns(document):
    """Expiry fails even for a passing test; an entry holding no test is a warning."""
    quarantine = Quarantine(
        (
            Entry(nodeid("test_0"), "old", "@team", "T-2", dt.date(2026, 11, 30)),
            Entry("tests/unit/test_gone.py", "gone", "@team", "T-3", dt.date(2027, 1, 1)),
        ),
        "q.yml",
    )
    verdict = evaluate(
        metrics_set(unit_group(document, {})), rules(defaults={"max_failure_rate": 1}), None,
        FlakyInputs(quarantine, TODAY),
    )  # fmt: skip
    expired = row(verdict, "quarantine_expired", "*")
    assert expired.result is Result.FAIL
    assert expired.detail == f"{nodeid('test_0')} expired 2026-11-30 (owner @team, T-2)"
    assert row(verdict, "quarantine_unmatched", "*").result is Result.WARN
    assert [n.nodeid for n in verdict.unmatched] == ["tests/unit/test_gone.py"]
    assert not verdict.passed
    same_day = evaluate(
        metrics_set(unit_group(document, {})), rules(defaults={"max_failure_rate": 1}), None,
        FlakyInputs(quarantine, dt.date(2026, 11, 30)),
    )  # fmt: skip
    assert same_day.passed


def test_new_flaky_needs_a_history_and_defaults_to_zero_with_one(document):
    """Flaky now and not in the history fails (default 0); known flaky or quarantined does not."""
    group = unit_group(document, {"test_flaky": [PASS] * 3, "test_held": [PASS] * 3})
    no_history = evaluate(metrics_set(group), rules(defaults={"max_failure_rate": 1}), None)
    assert not [r for r in no_history.rows if r.rule == "max_new_flaky"]
    fresh = evaluate(
        metrics_set(group), rules(defaults={"max_failure_rate": 1}), None,
        FlakyInputs(held(nodeid("test_held")), TODAY, HistoryFacts("h.sqlite", 5)),
    )  # fmt: skip
    new = row(fresh, "max_new_flaky", "unit")
    assert new.result is Result.FAIL
    assert new.detail == f"not flaky in 5 recorded runs: {nodeid('test_flaky')}"
    assert [n.nodeid for n in fresh.new_flaky] == [nodeid("test_flaky")]
    known = evaluate(
        metrics_set(group), rules(defaults={"max_failure_rate": 1}), None,
        FlakyInputs(
            held(nodeid("test_held")), TODAY,
            HistoryFacts("h.sqlite", 5, flaky=frozenset({("unit", nodeid("test_flaky"))})),
        ),
    )  # fmt: skip
    assert row(known, "max_new_flaky", "unit").result is Result.PASS
    skipped = evaluate(metrics_set(group), rules(defaults={"max_new_flaky": 0}), None)
    assert row(skipped, "max_new_flaky", "unit").result is Result.SKIP
    empty = evaluate(
        metrics_set(group), rules(defaults={"max_failure_rate": 1}), None,
        FlakyInputs(held(), TODAY, HistoryFacts("h.sqlite", 0)),
    )  # fmt: skip
    assert row(empty, "max_new_flaky", "unit").detail == "the history has no recorded run yet"
    assert empty.passed


def test_max_new_failures_does_not_call_a_flaky_test_new(document):
    """Against a baseline where all passed, only the broken test is a new failure."""
    baseline = group_from_document(
        document("unit", [*passing(8), *(
            (n, "passed", 0.1) for n in ("test_flaky", "test_broken", "test_held"))]),
        "base.json",
    )  # fmt: skip
    verdict = evaluate(
        metrics_set(unit_group(document, RETRIED)),
        rules(defaults={"max_failure_rate": 1}, regression={"max_new_failures": 0}),
        metrics_set(baseline),
        FlakyInputs(held(nodeid("test_held")), TODAY),
    )
    assert [n.nodeid for n in verdict.new_failures] == [nodeid("test_broken")]
    assert row(verdict, "max_new_failures", "unit").measured.value == 1  # type: ignore[union-attr]


def test_a_quarantined_test_that_passed_is_ready_to_release(document):
    """Passing now (and in every recent recorded run) lists it as ready to release."""
    group = group_from_document(document("unit", passing(3)), "m.json")
    quarantine = held(nodeid("test_1"))
    alone = evaluate(metrics_set(group), rules(), None, FlakyInputs(quarantine, TODAY))
    assert [n.nodeid for n in alone.release] == [nodeid("test_1")]
    history = HistoryFacts("h.sqlite", 4, passing=frozenset())
    recent_fail = evaluate(
        metrics_set(group), rules(), None, FlakyInputs(quarantine, TODAY, history)
    )
    assert recent_fail.release == ()
    history = HistoryFacts("h.sqlite", 4, passing=frozenset({("unit", nodeid("test_1"))}))
    ready = evaluate(metrics_set(group), rules(), None, FlakyInputs(quarantine, TODAY, history))
    assert ready.release[0].message == (
        "passed in this run and in the last 4 recorded runs; quarantined (owner @team, T-1)"
    )


def test_rerunfailures_passes_read_as_flaky(document):
    """A test pytest-rerunfailures passed after a rerun is flaky; counts stay pytest's."""
    document = document("unit", passing(2), reruns=1)
    group = group_from_document(document, "m.json")
    assert dict(group.flaky) == {nodeid("test_0"): "passed after 1 pytest-rerunfailures rerun(s)"}
    assert group.counts["reruns"] == 1
    assert group.counts["passed"] == 2
