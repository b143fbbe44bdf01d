"""Builders of metrics documents for the gate's unit tests, made through the real Recorder."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from mmpgate.metrics.io import check_arithmetic
from mmpgate.metrics.results import GroupMetrics, MetricsSet, group_from_document
from mmpgate.record import Recorder, RunFacts

Spec = Sequence[tuple[str, str, float]]


def build_document(
    group: str,
    tests: Spec,
    *,
    wall: float = 1.0,
    coverage: float | None = None,
    exit_status: int | None = 0,
    interrupted: bool = False,
    reruns: int = 0,
) -> dict[str, Any]:
    """A metrics document from (name, category, seconds) triples fed to the Recorder."""
    recorder = Recorder()
    for name, category, seconds in tests:
        nodeid = f"tests/{group}/test_mod.py::{name}"
        for _ in range(reruns if category == "passed" and name == tests[0][0] else 0):
            recorder.add_test_report(
                nodeid=nodeid,
                when="call",
                category="rerun",
                duration=0.0,
                counts=True,
                message=None,
                line=3,
            )
        if category == "skipped":
            recorder.add_test_report(
                nodeid=nodeid,
                when="setup",
                category="skipped",
                duration=seconds,
                counts=True,
                message="skip",
                line=3,
            )
            continue
        recorder.add_test_report(
            nodeid=nodeid,
            when="setup",
            category="",
            duration=0.0,
            counts=False,
            message=None,
            line=3,
        )
        recorder.add_test_report(
            nodeid=nodeid,
            when="call",
            category=category,
            duration=seconds,
            counts=True,
            message="assert 1 == 2" if category in ("failed", "error") else None,
            line=3,
        )
    coverage_doc = None
    if coverage is not None:
        coverage_doc = {
            "percent": coverage,
            "lines_valid": 100,
            "lines_covered": 0,
            "branches_valid": None,
            "branches_covered": None,
        }
    document = recorder.build(
        RunFacts(
            group=group,
            exit_status=exit_status,
            interrupted=interrupted,
            stopped_early=False,
            collected=len(tests),
            wall=wall,
            environment={},
            coverage=coverage_doc,
            source={},
        )
    )
    check_arithmetic(document, f"metrics.{group}.json")
    return document


def build_group(group: str, tests: Spec, **kwargs: Any) -> GroupMetrics:
    """The gate's view of a built document."""
    return group_from_document(build_document(group, tests, **kwargs), f"metrics.{group}.json")


def passing(count: int, seconds: float = 0.01) -> list[tuple[str, str, float]]:
    """`count` passing tests named test_0..test_{count-1}."""
    return [(f"test_{i}", "passed", seconds) for i in range(count)]


def metrics_set(*groups: GroupMetrics, total: GroupMetrics | None = None) -> MetricsSet:
    """A run made of these groups."""
    return MetricsSet(source="results", groups={g.name: g for g in groups}, total=total)


@pytest.fixture
def group() -> Callable[..., GroupMetrics]:
    """Build a group's metrics from (name, category, seconds) triples."""
    return build_group


@pytest.fixture
def run() -> Callable[..., MetricsSet]:
    """Build a run from groups."""
    return metrics_set


@pytest.fixture
def ok() -> Callable[..., list[tuple[str, str, float]]]:
    """Build a list of passing tests."""
    return passing
