"""The SVG charts: limits coloured by pass/fail, text escaped, nothing drawn from no data."""

from __future__ import annotations

import defusedxml.ElementTree as ET

from mmpgate.htmlreport import svg

NS = "{http://www.w3.org/2000/svg}"


def _marks(chart: str) -> list:
    root = ET.fromstring(chart)
    return [e for e in root.iter() if e.get("class") == "mark"]


def test_bars_within_and_over_their_limit_are_coloured_apart() -> None:
    """A bar under its maximum is drawn in the pass colour, one over it in the fail colour."""
    chart = svg.bar_chart(
        "rates",
        "Rates",
        [svg.Bar("unit", 0.01, "1%", limit=0.05), svg.Bar("e2e", 0.2, "20%", limit=0.05)],
    )
    fills = [mark.get("fill") for mark in _marks(chart)]
    assert fills == [svg.PASS, svg.FAIL]
    assert len(ET.fromstring(chart).findall(f"{NS}line[@class='limit']")) == 2


def test_a_minimum_limit_passes_at_or_above_it() -> None:
    """Coverage-like bars: equal to the minimum passes, below it fails."""
    assert svg.Bar("a", 80.0, "", limit=80.0, minimum=True).ok is True
    assert svg.Bar("a", 79.99, "", limit=80.0, minimum=True).ok is False
    assert svg.Bar("a", 10.0, "").ok is None


def test_labels_and_titles_are_escaped() -> None:
    """Markup in a test name stays text: the chart parses and holds no injected element."""
    chart = svg.bar_chart("slowest", "Slow <b>", [svg.Bar("<script>x</script>", 1.0, "1s")])
    root = ET.fromstring(chart)
    assert not list(root.iter(f"{NS}script"))
    assert not list(root.iter("script"))
    assert "<script>" not in chart


def test_no_value_draws_no_chart() -> None:
    """Charts with nothing to draw are left out instead of showing an empty frame."""
    assert svg.bar_chart("coverage", "Coverage", [svg.Bar("unit", None, "not measured")]) == ""
    assert (
        svg.stacked_chart("outcomes", "Outcomes", [("unit", [svg.Segment("passed", 0, "#000")])])
        == ""
    )


def test_a_trend_with_a_gap_draws_separate_lines() -> None:
    """An unknown value breaks the line; every known value is a point."""
    chart = svg.line_chart("t", "T", ["a", "b", "c", "d", "e"], [1.0, 2.0, None, 3.0, 4.0], str)
    root = ET.fromstring(chart)
    assert len(root.findall(f"{NS}circle")) == 4
    assert len(root.findall(f"{NS}polyline")) == 2


def test_a_flat_trend_keeps_its_points_inside_the_plot() -> None:
    """Equal values open the scale around them instead of dividing by zero."""
    chart = svg.line_chart("t", "T", ["a", "b"], [0.5, 0.5], str)
    ys = {float(c.get("cy", "0")) for c in ET.fromstring(chart).findall(f"{NS}circle")}
    assert len(ys) == 1
    assert 34 < ys.pop() < 190 - 40
