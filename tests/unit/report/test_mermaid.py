"""Mermaid trend blocks: one per figure that moved, labels quoted, nothing from one run."""

from __future__ import annotations

from mmpgate.mermaid import MAX_POINTS, trend_markdown
from mmpgate.trends import RunPoint


def _point(
    label: str, coverage: float | None, wall: float, failed: int, flaky: int | None = 0
) -> RunPoint:
    return RunPoint(label, None, 100, failed, flaky, coverage, wall)


def test_only_figures_that_moved_get_a_chart() -> None:
    """Coverage and failures moved, wall time and flakiness did not: two blocks."""
    text = trend_markdown([_point("a", 80.0, 10.0, 1), _point("b", 82.5, 10.0, 3)])
    assert text.count("```mermaid\nxychart-beta") == 2
    assert 'title "Coverage (%) over the last 2 runs"' in text
    assert "line [80, 82.5]" in text
    assert "line [1, 3]" in text
    assert "Wall time" not in text
    assert "Flaky" not in text


def test_a_figure_unknown_in_one_run_is_not_drawn() -> None:
    """A run without coverage leaves the coverage chart out instead of drawing a false zero."""
    text = trend_markdown([_point("a", None, 10.0, 0), _point("b", 90.0, 12.0, 0)])
    assert "Coverage" not in text
    assert "Wall time (s)" in text


def test_labels_are_quoted_and_cut() -> None:
    """A label with quotes cannot end the x-axis list early."""
    text = trend_markdown([_point('x"y', 1.0, 1.0, 0), _point("z" * 40, 2.0, 1.0, 0)])
    assert '["x\'y", "' + "z" * 24 + '"]' in text


def test_one_run_has_no_trend_and_long_histories_are_cut() -> None:
    """Fewer than two runs: nothing; more than MAX_POINTS: the last MAX_POINTS."""
    assert trend_markdown([_point("a", 1.0, 1.0, 0)]) == ""
    many = [_point(str(n), float(n), 1.0, 0) for n in range(MAX_POINTS + 5)]
    assert f"over the last {MAX_POINTS} runs" in trend_markdown(many)
