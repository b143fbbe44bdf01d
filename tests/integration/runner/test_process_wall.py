"""`mmpgate run` records the group's process wall beside pytest's session wall, and `combine`
sums it (real runs)."""

from __future__ import annotations

import json

import pytest

from mmpgate.cli import main
from mmpgate.metrics.io import load_metrics


def test_the_process_wall_is_recorded_and_summed(
    sample: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run"]) == 0
    assert main(["combine"]) == 0
    out = sample.path / "mmpgate-results"
    unit = load_metrics(out / "metrics.unit.json")["duration"]
    integration = load_metrics(out / "metrics.integration.json")["duration"]
    # The session runs inside the process: the process's wall always contains it.
    assert unit["process"] >= unit["wall"]
    assert integration["process"] >= integration["wall"]
    total = load_metrics(out / "metrics.total.json")["duration"]
    assert total["process"] == pytest.approx(unit["process"] + integration["process"], abs=2e-6)
    (sample.path / "thresholds.yml").write_text("version: 1\ngroups: {unit: {max_duration: 1h}}\n")
    capsys.readouterr()
    assert main(["check", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    (row,) = [row for row in rows if row["rule"] == "max_duration"]
    assert row["detail"] == "process wall (start-up and collection included)"
    assert row["measured"]["value"] == pytest.approx(unit["process"], abs=5e-4)


def test_a_session_alone_has_no_process_wall(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_one():\n    pass\n")
    pytester.runpytest("--mmpgate-metrics=metrics.solo.json").assert_outcomes(passed=1)
    assert "process" not in load_metrics(pytester.path / "metrics.solo.json")["duration"]
