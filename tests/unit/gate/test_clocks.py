"""Which clock each duration rule reads: the process's (start-up and collection included) when
`mmpgate run` timed it, else pytest's session; every duration row names its clock."""

from __future__ import annotations

import dataclasses
from typing import Any

from mmpgate.gate.rules import evaluate
from mmpgate.gate.thresholds import thresholds_from_document
from mmpgate.gate.verdict import Result, Row
from mmpgate.metrics.results import GroupMetrics

PROCESS = "process wall (start-up and collection included)"
SESSION = "session wall (pytest's session only)"


def _row(verdict: Any, rule: str, group: str) -> Row:
    rows: list[Row] = verdict.rows
    return next(row for row in rows if row.rule == rule and row.group == group)


def test_max_duration_reads_the_process_wall_when_the_runner_timed_it(group, run, ok) -> None:
    """A 1 s session in a 5 s process: the job took 5 s, and a 2 s limit fails on that."""
    unit = dataclasses.replace(group("unit", ok(2), wall=1.0), process=5.0)
    thresholds = thresholds_from_document(
        {"version": 1, "groups": {"unit": {"max_duration": "2s"}}}, "t.yml"
    )
    row = _row(evaluate(run(unit), thresholds, None), "max_duration", "unit")
    assert row.result is Result.FAIL
    assert row.detail == f"5.000s is above the maximum 2.000s; {PROCESS}"


def test_without_a_process_time_the_session_wall_is_read(group, run, ok) -> None:
    unit: GroupMetrics = group("unit", ok(2), wall=1.0)
    assert unit.process is None
    thresholds = thresholds_from_document(
        {"version": 1, "groups": {"unit": {"max_duration": "2s"}}}, "t.yml"
    )
    row = _row(evaluate(run(unit), thresholds, None), "max_duration", "unit")
    assert row.result is Result.PASS
    assert row.detail == SESSION


def test_the_total_sums_process_times_only_when_every_group_has_one(group, run, ok) -> None:
    unit = dataclasses.replace(group("unit", ok(1), wall=1.0), process=3.0)
    e2e_timed = dataclasses.replace(group("e2e", ok(1), wall=2.0), process=4.0)
    thresholds = thresholds_from_document({"version": 1, "total": {"max_duration": "6s"}}, "t.yml")
    both = _row(evaluate(run(unit, e2e_timed), thresholds, None), "max_duration", "total")
    assert both.result is Result.FAIL
    assert both.detail is not None
    assert both.detail.startswith("7.000s is above the maximum 6.000s")
    untimed = group("e2e", ok(1), wall=2.0)
    mixed = _row(evaluate(run(unit, untimed), thresholds, None), "max_duration", "total")
    assert mixed.result is Result.PASS
    assert mixed.detail == SESSION


def test_a_baseline_is_compared_on_the_same_clock(group, run, ok) -> None:
    """A run with process times against a baseline without: session against session."""
    thresholds = thresholds_from_document(
        {"version": 1, "regression": {"max_duration_increase": "20%"}}, "t.yml"
    )
    now = dataclasses.replace(group("unit", ok(1), wall=1.0), process=9.0)
    old_untimed = group("unit", ok(1), wall=1.0)
    row = _row(evaluate(run(now), thresholds, run(old_untimed)), "max_duration_increase", "unit")
    assert row.result is Result.PASS
    assert row.detail == "session wall"
    old_timed = dataclasses.replace(old_untimed, process=3.0)
    row = _row(evaluate(run(now), thresholds, run(old_timed)), "max_duration_increase", "unit")
    assert row.result is Result.FAIL
    assert row.detail == "+200.00% is above the maximum +20.00%; process wall"
