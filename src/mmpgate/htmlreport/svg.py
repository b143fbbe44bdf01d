"""Inline SVG charts: horizontal bars with limits, stacked outcome bars, trend lines.

Every chart is an `<svg class="chart" data-chart=NAME>` whose marks carry `class="mark"`, so a
browser test can find each chart and count what it drew. Text is escaped; no script, no style
sheet reference, no external resource.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from html import escape

WIDTH = 760
LABEL = 220  # left column for the row labels
VALUE = 170  # right column for the printed value
ROW = 26
TOP = 34

PASS = "#2e7d32"  # noqa: S105  (a colour, not a password)
FAIL = "#c62828"
WARN = "#ef6c00"
MUTED = "#9e9e9e"
INK = "#212121"
LIMIT = "#1565c0"


@dataclasses.dataclass(frozen=True, slots=True)
class Bar:
    """One row of a bar chart: `limit` is a maximum (or a minimum when `minimum`)."""

    label: str
    value: float | None
    text: str
    limit: float | None = None
    minimum: bool = False
    title: str | None = None

    @property
    def ok(self) -> bool | None:
        """Within the limit; None when there is no limit or no value."""
        if self.limit is None or self.value is None:
            return None
        return self.value >= self.limit if self.minimum else self.value <= self.limit


@dataclasses.dataclass(frozen=True, slots=True)
class Segment:
    """A part of a stacked bar."""

    name: str
    value: int
    colour: str


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _open(name: str, title: str, height: int) -> list[str]:
    return [
        f'<svg class="chart" data-chart="{escape(name)}" role="img" xmlns="http://www.w3.org/2000/svg"'
        f' viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="18" font-size="14" font-weight="600" fill="{INK}">{escape(title)}</text>',
    ]


def _label(x: float, y: float, text: str, anchor: str = "end", title: str | None = None) -> str:
    shown = text if len(text) <= 34 else "…" + text[-33:]
    tip = f"<title>{escape(title or text)}</title>"
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" font-size="12" text-anchor="{anchor}" fill="{INK}">'
        f"{tip}{escape(shown)}</text>"
    )


def bar_chart(name: str, title: str, bars: Sequence[Bar], *, scale: float | None = None) -> str:
    """Horizontal bars, one per row, with a dashed limit tick; "" when no row has a value."""
    if all(bar.value is None for bar in bars):
        return ""
    height = TOP + ROW * max(len(bars), 1) + 10
    top = max(
        [scale or 0.0]
        + [b.value for b in bars if b.value is not None]
        + [b.limit for b in bars if b.limit is not None]
    )
    top = top * 1.1 if top > 0 else 1.0
    span = WIDTH - LABEL - VALUE - 10
    out = _open(name, title, height)
    for index, bar in enumerate(bars):
        y = TOP + index * ROW
        out.append(_label(LABEL - 8, y + 15, bar.label, title=bar.title))
        ok = bar.ok
        colour = MUTED if ok is None else PASS if ok else FAIL
        if bar.value is not None:
            width = max(span * bar.value / top, 2.0)  # a zero still shows as a sliver
            out.append(
                f'<rect class="mark" x="{LABEL}" y="{y + 3}" width="{_num(width)}" height="{ROW - 8}"'
                f' fill="{colour}"><title>{escape(bar.label)}: {escape(bar.text)}</title></rect>'
            )
        if bar.limit is not None:
            x = LABEL + span * bar.limit / top
            word = "minimum" if bar.minimum else "maximum"
            out.append(
                f'<line class="limit" x1="{_num(x)}" x2="{_num(x)}" y1="{y}" y2="{y + ROW - 2}"'
                f' stroke="{LIMIT}" stroke-width="2" stroke-dasharray="4 2">'
                f"<title>{word} {escape(bar.label)}</title></line>"
            )
        out.append(_label(WIDTH - VALUE + 4, y + 15, bar.text, anchor="start"))
    out.append("</svg>")
    return "".join(out)


def stacked_chart(name: str, title: str, rows: Sequence[tuple[str, Sequence[Segment]]]) -> str:
    """One bar per row, split into segments in proportion to their counts; "" when all are 0."""
    if not any(segment.value for _, segments in rows for segment in segments):
        return ""
    height = TOP + ROW * max(len(rows), 1) + 30
    span = WIDTH - LABEL - VALUE - 10
    out = _open(name, title, height)
    for index, (label, segments) in enumerate(rows):
        y = TOP + index * ROW
        out.append(_label(LABEL - 8, y + 15, label))
        total = sum(segment.value for segment in segments)
        x = float(LABEL)
        for segment in segments:
            if total == 0 or segment.value == 0:
                continue
            width = max(span * segment.value / total, 1.0)
            out.append(
                f'<rect class="mark" x="{_num(x)}" y="{y + 3}" width="{_num(width)}"'
                f' height="{ROW - 8}" fill="{segment.colour}"><title>{escape(label)}:'
                f" {segment.value} {escape(segment.name)}</title></rect>"
            )
            x += width
        out.append(_label(WIDTH - VALUE + 4, y + 15, f"{total} tests", anchor="start"))
    legend_y = TOP + ROW * max(len(rows), 1) + 16
    x = float(LABEL)
    for segment in rows[0][1] if rows else ():
        out.append(
            f'<rect x="{_num(x)}" y="{legend_y - 10}" width="10" height="10" fill="{segment.colour}"/>'
        )
        out.append(_label(x + 14, legend_y, segment.name, anchor="start"))
        x += 24 + 7 * len(segment.name)
    out.append("</svg>")
    return "".join(out)


def line_chart(
    name: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    fmt: Callable[[float], str],
    *,
    limit: float | None = None,
) -> str:
    """One series over the runs, oldest left; unknown values leave a gap; a dashed limit line."""
    height, left, right, top, bottom = 190, 70, 20, 34, 40
    known = [v for v in values if v is not None]
    high = max([*known, limit or 0.0, 0.0])
    low = min([*known, limit if limit is not None else high, high])
    if high == low:  # a flat line: open the scale around it by a tenth (or by 1 around 0)
        pad = abs(high) * 0.1 or 1.0
        high, low = high + pad, max(low - pad, 0.0) if low >= 0 else low - pad
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    step = plot_w / max(len(values) - 1, 1)

    def y_of(value: float) -> float:
        return top + plot_h * (high - value) / (high - low)

    out = _open(name, title, height)
    for value in (low, high):
        out.append(_label(left - 6, y_of(value) + 4, fmt(value)))
        out.append(
            f'<line x1="{left}" x2="{WIDTH - right}" y1="{_num(y_of(value))}"'
            f' y2="{_num(y_of(value))}" stroke="#e0e0e0"/>'
        )
    if limit is not None:
        out.append(
            f'<line class="limit" x1="{left}" x2="{WIDTH - right}" y1="{_num(y_of(limit))}"'
            f' y2="{_num(y_of(limit))}" stroke="{LIMIT}" stroke-dasharray="4 2">'
            f"<title>limit {escape(fmt(limit))}</title></line>"
        )
    path: list[str] = []
    for index, point in enumerate(values):
        if point is None:
            path.append("")
            continue
        x, y = left + step * index, y_of(point)
        path.append(f"{_num(x)},{_num(y)}")
        out.append(
            f'<circle class="mark" cx="{_num(x)}" cy="{_num(y)}" r="3.5" fill="{LIMIT}">'
            f"<title>{escape(labels[index])}: {escape(fmt(point))}</title></circle>"
        )
    for run in " ".join(path).split("  "):
        if run.strip().count(",") > 1:
            out.append(
                f'<polyline class="mark" fill="none" stroke="{LIMIT}" stroke-width="2"'
                f' points="{run.strip()}"/>'
            )
    every = max(1, len(labels) // 8)
    for index, label in enumerate(labels):
        if index % every == 0 or index == len(labels) - 1:
            anchor = "start" if index == 0 else "end" if index == len(labels) - 1 else "middle"
            out.append(_label(left + step * index, height - bottom + 16, label, anchor=anchor))
    out.append("</svg>")
    return "".join(out)
