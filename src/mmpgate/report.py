"""The verdict as text (terminal), markdown (job summary) or JSON (machines), behind one function."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from mmpgate.gate.quantities import percent_text, seconds_text
from mmpgate.gate.verdict import Figures, Quantity, Result, Row, TestNote, Unit, Verdict

if TYPE_CHECKING:
    from mmpgate.trends import RunPoint

FORMATS: tuple[str, ...] = ("text", "markdown", "json")
COLUMNS: tuple[str, ...] = ("rule", "group", "measured", "threshold", "baseline", "delta", "result")
#: How many tests each list shows in text and markdown before it is cut (JSON lists them all).
LIST_LIMIT = 20
VERDICT_FORMAT = 1


def render(
    verdict: Verdict, fmt: str, *, list_limit: int = LIST_LIMIT, trend: Sequence[RunPoint] = ()
) -> str:
    """The verdict in `fmt` (text, markdown or json); markdown adds charts of the `trend`."""
    if fmt == "text":
        return render_text(verdict, list_limit=list_limit)
    if fmt == "markdown":
        return render_markdown(verdict, list_limit=list_limit, trend=trend)
    if fmt == "json":
        return json.dumps(verdict_json(verdict), indent=2, sort_keys=True) + "\n"
    raise ValueError(f"unknown format {fmt!r}")


def _dec(value: Fraction | Decimal | int) -> Decimal:
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(value)


def quantity_text(quantity: Quantity | None, *, signed: bool = False) -> str:
    """One cell: a quantity in its unit."""
    if quantity is None:
        return ""
    value, unit = quantity.value, quantity.unit
    sign = "+" if signed and value > 0 else ""
    if unit is Unit.RATE or unit is Unit.RELATIVE:
        rate = Fraction(value)
        text = ("-" if rate < 0 else sign) + percent_text(abs(rate))
        if unit is Unit.RELATIVE and not signed:
            text = "+" + text
        return f"{text} ({quantity.counts[0]}/{quantity.counts[1]})" if quantity.counts else text
    if unit is Unit.PERCENT:
        return f"{_dec(value):.2f}%"
    if unit is Unit.POINTS:
        return f"{sign}{_dec(value):.2f} pts"
    if unit is Unit.SECONDS:
        return sign + seconds_text(_dec(value))
    if unit is Unit.FACTOR:
        return f"{_dec(value)}x"
    return f"{sign}{value}"


def row_cells(row: Row) -> list[str]:
    """The cells of one verdict row, in COLUMNS order."""
    return [
        row.rule,
        row.group,
        quantity_text(row.measured),
        quantity_text(row.threshold),
        quantity_text(row.baseline),
        quantity_text(row.delta, signed=True),
        row.result.value,
    ]


def headline(verdict: Verdict) -> str:
    """`mmpgate gate: PASS` or `FAIL` with the counts of failed rules and warnings."""
    failed, warned = len(verdict.failed_rows), len(verdict.warnings)
    word = "PASS" if verdict.passed else "FAIL"
    parts = [f"{failed} rule{'s' if failed != 1 else ''} failed"] if failed else []
    if warned:
        parts.append(f"{warned} warning{'s' if warned != 1 else ''}")
    return f"mmpgate gate: {word}" + (f" ({', '.join(parts)})" if parts else "")


def _sources(verdict: Verdict) -> list[str]:
    lines = [f"thresholds: {verdict.thresholds_source}", f"metrics: {verdict.metrics_source}"]
    if verdict.total_source:
        lines.append(f"total: {verdict.total_source}")
    if verdict.baseline_source:
        lines.append(f"baseline: {verdict.baseline_source}")
    return lines


def _lists(verdict: Verdict) -> list[tuple[str, Sequence[TestNote]]]:
    return [
        ("Failing tests", verdict.failing),
        ("Flaky tests (failed, then passed; not counted as failed)", verdict.flaky),
        ("New flaky tests (not flaky in the history, not quarantined)", verdict.new_flaky),
        ("Quarantined tests that failed (not counted)", verdict.quarantined),
        ("Expired quarantine entries", verdict.expired),
        ("Quarantine entries that hold no test that ran", verdict.unmatched),
        ("Quarantined tests ready to release", verdict.release),
        ("Newly failing tests (passed in the baseline)", verdict.new_failures),
        ("Removed tests (in the baseline, not run now)", verdict.removed),
        ("Newly skipped tests", verdict.newly_skipped),
        ("Slower tests than in the baseline", verdict.slower),
    ]


def _note_text(note: TestNote) -> str:
    text = f"[{note.group}] {note.nodeid}"
    if note.before is not None and note.after is not None:
        text += f" {seconds_text(note.before)} -> {seconds_text(note.after)}"
    elif note.message:
        text += f": {note.message}"
    return text


def render_text(verdict: Verdict, *, list_limit: int = LIST_LIMIT) -> str:
    """An aligned table for the terminal; reasons follow the result."""
    table = [list(COLUMNS)] + [row_cells(row) for row in verdict.rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    out = [headline(verdict), *("  " + line for line in _sources(verdict)), ""]
    for line, row in zip(table, [None, *verdict.rows], strict=True):
        text = "  ".join(
            cell.ljust(width) for cell, width in zip(line, widths, strict=True)
        ).rstrip()
        if row is not None and row.detail:
            text += f"  {row.detail}"
        out.append(text)
    for title, notes in _lists(verdict):
        if notes:
            out += ["", f"{title}: {len(notes)}"]
            out += [f"  {_note_text(note)}" for note in notes[:list_limit]]
            if len(notes) > list_limit:
                out.append(f"  ... and {len(notes) - list_limit} more")
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("`", "\\`").replace("<", "&lt;")


def render_markdown(
    verdict: Verdict, *, list_limit: int = LIST_LIMIT, trend: Sequence[RunPoint] = ()
) -> str:
    """A markdown table, Mermaid charts of the figures that moved over `trend`, and lists for the
    job summary; long lists are cut with a count."""
    out = [f"### {headline(verdict)}", "", " · ".join(_md(line) for line in _sources(verdict)), ""]
    out.append("| " + " | ".join(COLUMNS) + " |")
    out.append("|" + "---|" * len(COLUMNS))
    for row in verdict.rows:
        cells = [_md(cell) for cell in row_cells(row)]
        mark = {Result.FAIL: "**fail**", Result.WARN: "*warn*"}.get(row.result, row.result.value)
        cells[-1] = mark + (f" — {_md(row.detail)}" if row.detail else "")
        out.append("| " + " | ".join(cells) + " |")
    from mmpgate.mermaid import trend_markdown

    charts = trend_markdown(trend)
    if charts:
        out += ["", charts]
    for title, notes in _lists(verdict):
        if notes:
            out += ["", f"<details><summary>{title}: {len(notes)}</summary>", ""]
            out += [f"- {_md(_note_text(note))}" for note in notes[:list_limit]]
            if len(notes) > list_limit:
                out.append(f"- … and {len(notes) - list_limit} more (cut)")
            out += ["", "</details>"]
    return "\n".join(out) + "\n"


def _number(value: Fraction | Decimal | int | None) -> float | int | None:
    if value is None or isinstance(value, int):
        return value
    return float(value)


def _quantity_json(quantity: Quantity | None, *, signed: bool = False) -> dict[str, Any] | None:
    if quantity is None:
        return None
    out: dict[str, Any] = {
        "value": _number(quantity.value),
        "unit": quantity.unit.value,
        "text": quantity_text(quantity, signed=signed),
    }
    if quantity.counts is not None:
        out["counts"] = list(quantity.counts)
    return out


def _figures_json(figures: Figures) -> dict[str, Any]:
    return {
        "name": figures.name,
        "total": figures.total,
        "failure_rate": _number(figures.failure_rate),
        "skip_rate": _number(figures.skip_rate),
        "coverage": _number(figures.coverage),
        "duration": _number(figures.duration),
    }


def _note_json(note: TestNote) -> dict[str, Any]:
    return {
        "group": note.group,
        "nodeid": note.nodeid,
        "outcome": note.outcome,
        "message": note.message,
        "line": note.line,
        "before": _number(note.before),
        "after": _number(note.after),
    }


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    """The verdict as a JSON-ready document (every list in full)."""
    return {
        "format": VERDICT_FORMAT,
        "verdict": "pass" if verdict.passed else "fail",
        "thresholds": verdict.thresholds_source,
        "metrics": verdict.metrics_source,
        "baseline": verdict.baseline_source,
        "total_source": verdict.total_source,
        "rows": [
            {
                "rule": row.rule,
                "group": row.group,
                "result": row.result.value,
                "measured": _quantity_json(row.measured),
                "threshold": _quantity_json(row.threshold),
                "baseline": _quantity_json(row.baseline),
                "delta": _quantity_json(row.delta, signed=True),
                "detail": row.detail,
            }
            for row in verdict.rows
        ],
        "groups": [_figures_json(figures) for figures in verdict.groups],
        "total": _figures_json(verdict.total) if verdict.total else None,
        "tests": {
            "failing": [_note_json(n) for n in verdict.failing],
            "new_failures": [_note_json(n) for n in verdict.new_failures],
            "removed": [_note_json(n) for n in verdict.removed],
            "newly_skipped": [_note_json(n) for n in verdict.newly_skipped],
            "slower": [_note_json(n) for n in verdict.slower],
            "flaky": [_note_json(n) for n in verdict.flaky],
            "new_flaky": [_note_json(n) for n in verdict.new_flaky],
            "quarantined": [_note_json(n) for n in verdict.quarantined],
            "expired": [_note_json(n) for n in verdict.expired],
            "unmatched": [_note_json(n) for n in verdict.unmatched],
            "release": [_note_json(n) for n in verdict.release],
        },
        "decimal_places": {"rate": "exact", "seconds": 3, "percent": 2},
    }


__all__ = ["FORMATS", "render", "render_markdown", "render_text", "verdict_json"]
