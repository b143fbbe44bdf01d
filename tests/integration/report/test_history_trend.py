"""Trends from the run history (`mmpgate history add`): in the HTML report and the job summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmpgate.cli import main
from mmpgate.trends import points_from_history

PASSING = "def test_a():\n    pass\n\ndef test_b():\n    pass\n"
FAILING = "def test_a():\n    pass\n\ndef test_b():\n    assert 0\n"


@pytest.fixture
def history(pytester: pytest.Pytester, capsys: pytest.CaptureFixture[str]) -> Path:
    """Two real runs recorded in a SQLite history; the current results fail one test."""
    store = pytester.path / "history.sqlite"
    for number, source in enumerate((PASSING, PASSING, FAILING)):
        pytester.makepyfile(test_unit=source)
        out = pytester.path / f"run{number}"
        pytester.runpytest(f"--mmpgate-metrics={out}/metrics.unit.json", "--mmpgate-group=unit")
        if number < 2:
            args = ["history", "add", str(out), "--store", str(store), "--run-id", f"r{number}"]
            assert main([*args, "--commit", f"c0ffee{number}"]) == 0
    capsys.readouterr()
    return store


def test_history_points_are_the_recorded_runs_oldest_first(history: Path) -> None:
    """Each recorded run is a point with its tests and failures; wall time is not in the store."""
    points = points_from_history(str(history))
    assert [p.label for p in points] == ["c0ffee0", "c0ffee1"]
    assert [(p.tests, p.failed, p.wall) for p in points] == [(2, 0, None), (2, 0, None)]


def test_report_draws_rate_trends_from_the_history(
    pytester: pytest.Pytester, history: Path
) -> None:
    """--history adds failure and flaky rate lines: two recorded runs and the current one."""
    page = pytester.path / "r.html"
    args = ["report", "--metrics", str(pytester.path / "run2"), "--history", str(history)]
    assert main([*args, "--output", str(page)]) == 0
    text = page.read_text()
    assert 'data-chart="trend-failure-rate"' in text
    assert "3 runs from the run history" in text
    assert 'data-chart="trend-coverage"' not in text


def test_check_summary_charts_the_history(pytester: pytest.Pytester, history: Path, capsys) -> None:
    """check --history: the markdown verdict charts the failure rate over the recorded runs."""
    pytester.makefile(".yml", thresholds="version: 1\n")
    args = [
        "check",
        str(pytester.path / "thresholds.yml"),
        "--metrics",
        str(pytester.path / "run2"),
    ]
    main([*args, "--history", str(history), "--format", "markdown"])
    out = capsys.readouterr().out
    assert 'title "Failure rate (%) over the last 3 runs"' in out
    assert "line [0, 0, 50]" in out
