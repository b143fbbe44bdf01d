"""Builders of metrics documents for the gate's unit tests, made through the real Recorder."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from recorded import Spec, build_document

from mmpgate.metrics.results import GroupMetrics, MetricsSet, group_from_document


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


@pytest.fixture
def document() -> Callable[..., dict[str, Any]]:
    """Build a group's metrics document from (name, category, seconds) triples."""
    return build_document
