"""Mermaid `xychart-beta` blocks of the figures that moved over the recorded runs.

GitHub renders them in the job summary and in issues and pull requests: a trend without a
gh-pages branch. Only figures whose value changed get a chart; each block is a few hundred bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mmpgate.trends import RunPoint

#: The last runs drawn (older points are left out so the x axis stays readable).
MAX_POINTS = 20

_FIGURES: tuple[tuple[str, str, Callable[[RunPoint], float | None]], ...] = (
    ("Coverage (%)", "percent", lambda p: p.coverage),
    ("Wall time (s)", "seconds", lambda p: p.wall),
    (
        "Failure rate (%)",
        "percent",
        lambda p: None if p.failure_rate is None else 100 * p.failure_rate,
    ),
    ("Flaky rate (%)", "percent", lambda p: None if p.flaky_rate is None else 100 * p.flaky_rate),
)


def _label(text: str) -> str:
    return '"' + text.replace('"', "'").replace("\n", " ")[:24] + '"'


def _value(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def trend_markdown(points: Sequence[RunPoint]) -> str:
    """One ```mermaid block per figure that moved (known in every drawn run); "" when none did."""
    shown = list(points)[-MAX_POINTS:]
    if len(shown) < 2:
        return ""
    blocks = []
    for title, unit, read in _FIGURES:
        values = [read(point) for point in shown]
        known = [v for v in values if v is not None]
        if len(known) != len(values) or len({round(v, 4) for v in known}) < 2:
            continue
        low, high = min(known), max(known)
        pad = (high - low) * 0.1
        axis_low = max(low - pad, 0.0)
        blocks.append(
            "\n".join(
                [
                    "```mermaid",
                    "xychart-beta",
                    f'    title "{title} over the last {len(shown)} runs"',
                    f"    x-axis [{', '.join(_label(p.label) for p in shown)}]",
                    f'    y-axis "{unit}" {_value(axis_low)} --> {_value(high + pad)}',
                    f"    line [{', '.join(_value(v) for v in known)}]",
                    "```",
                ]
            )
        )
    return "\n\n".join(blocks)
