"""Rendering the verdict: text table, markdown for the job summary, JSON."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

import pytest

from mmpgate.gate.rules import evaluate
from mmpgate.gate.thresholds import thresholds_from_document
from mmpgate.gate.verdict import Quantity, Unit
from mmpgate.report import COLUMNS, quantity_text, render


def _verdict(group, run, ok):
    unit = group("unit", [("bad|pipe", "failed", 0.2), *ok(30)], wall=3.25, coverage=81.234)
    t = thresholds_from_document(
        {
            "version": 1,
            "require_groups": ["unit", "e2e"],
            "groups": {"unit": {"min_coverage": 90, "max_duration": "3s"}},
        },
        "thresholds.yml",
    )
    return evaluate(run(unit), t, None)


@pytest.mark.parametrize(
    ("quantity", "text"),
    [
        (Quantity(Fraction(1, 200), Unit.RATE, (1, 200)), "0.50% (1/200)"),
        (Quantity(Fraction(1, 100_000), Unit.RATE), "0.001%"),
        (Quantity(Fraction(0), Unit.RATE), "0.00%"),
        (Quantity(Decimal("81.23"), Unit.PERCENT), "81.23%"),
        (Quantity(Decimal("3.25"), Unit.SECONDS), "3.250s"),
        (Quantity(Fraction(1, 5), Unit.RELATIVE), "+20.00%"),
        (Quantity(Decimal("-0.5"), Unit.POINTS), "-0.50 pts"),
        (Quantity(7, Unit.COUNT), "7"),
    ],
)
def test_quantity_text(quantity, text):
    """Each unit prints as documented."""
    assert quantity_text(quantity) == text


def test_text_table_has_every_column_and_reason(group, run, ok):
    """The terminal table lists the columns, each rule, the result and why a rule failed."""
    text = render(_verdict(group, run, ok), "text")
    lines = text.splitlines()
    assert lines[0] == "mmpgate gate: FAIL (4 rules failed)"
    header = next(line for line in lines if line.startswith("rule"))
    assert header.split() == list(COLUMNS)
    assert any(line.split()[:2] == ["present", "e2e"] and "fail" in line for line in lines)
    assert any(
        line.startswith("max_duration") and "3.250s" in line and "3.000s" in line for line in lines
    )
    assert "Failing tests: 1" in text


def test_markdown_escapes_and_marks_failures(group, run, ok):
    """Markdown rows escape pipes, bold the failures and list failing tests in a details block."""
    markdown = render(_verdict(group, run, ok), "markdown")
    assert markdown.startswith("### mmpgate gate: FAIL")
    assert "| " + " | ".join(COLUMNS) + " |" in markdown
    assert "**fail**" in markdown
    assert "bad\\|pipe" in markdown
    assert "<details><summary>Failing tests: 1</summary>" in markdown


def test_markdown_cuts_long_lists_with_a_count(group, run, ok):
    """A list longer than the limit is cut and says how many were cut."""
    tests = [(f"f{i}", "failed", 0.0) for i in range(30)]
    verdict = evaluate(
        run(group("unit", tests)), thresholds_from_document({"version": 1}, "t.yml"), None
    )
    markdown = render(verdict, "markdown", list_limit=5)
    assert markdown.count("\n- [unit]") == 5
    assert "… and 25 more (cut)" in markdown


def test_json_verdict(group, run, ok):
    """The JSON verdict carries the result, every row with values and units, and the tests."""
    document = json.loads(render(_verdict(group, run, ok), "json"))
    assert document["verdict"] == "fail"
    assert document["format"] == 1
    duration = next(r for r in document["rows"] if r["rule"] == "max_duration")
    assert duration["measured"] == {"value": 3.25, "unit": "seconds", "text": "3.250s"}
    assert duration["result"] == "fail"
    assert document["tests"]["failing"][0]["nodeid"].endswith("bad|pipe")
    assert document["groups"][0]["coverage"] == 81.23
