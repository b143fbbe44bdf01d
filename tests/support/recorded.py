"""Metrics documents made through the real Recorder, for tests that need a valid one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mmpgate.metrics.io import check_arithmetic
from mmpgate.record import Recorder, RunFacts

#: A schema-valid `environment` of no particular machine.
ENVIRONMENT = {
    "python": None, "platform": None, "pytest": None, "xdist": None, "workers": 0,
    "git_commit": None, "command": [], "started": None, "finished": None, "producer": "test",
}  # fmt: skip

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
            environment=ENVIRONMENT,
            coverage=coverage_doc,
            source={},
        )
    )
    check_arithmetic(document, f"metrics.{group}.json")
    return document
