"""Shared helpers of the benchmarks: generated inputs, timing, medians and markdown tables."""

from __future__ import annotations

import random
import statistics
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import quoteattr

TRACEBACK = "\n".join(
    [
        "    def test_value():",
        ">       assert compute() == 3",
        "E       assert 2 == 3",
        "E        +  where 2 = compute()",
        "",
        "tests/unit/test_values.py:12: AssertionError",
    ]
    * 4
)


def write_junit(path: Path, cases: int, *, seed: int = 1) -> None:
    """A pytest-shaped JUnit XML with `cases` test cases: mostly passes, some of every outcome."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n<testsuites name="pytest tests">')
        out.write(
            '<testsuite name="pytest" errors="0" failures="0" skipped="0" '
            f'tests="{cases}" time="1234.5" timestamp="2025-01-01T00:00:00+00:00" hostname="ci">'
        )
        for index in range(cases):
            module = f"tests.unit.pkg{index % 40}.test_mod{index % 500}"
            classname = f"{module}.TestCase{index % 7}" if index % 3 else module
            name = f"test_case_{index}[param-{index % 11}]"
            head = f'<testcase classname="{classname}" name="{name}" time="{rng.random():.3f}"'
            roll = rng.random()
            if roll < 0.90:
                out.write(head + " />")
            elif roll < 0.93:
                message = quoteattr("AssertionError: assert 2 == 3")
                out.write(
                    f"{head}><failure message={message}>{_escape(TRACEBACK)}</failure></testcase>"
                )
            elif roll < 0.98:
                out.write(
                    f'{head}><skipped type="pytest.skip" message="not on this platform">'
                    "tests/unit/test_values.py:3: not on this platform</skipped></testcase>"
                )
            elif roll < 0.99:
                out.write(
                    f'{head}><error message="failed on setup with &quot;OSError: port in use&quot;">'
                    f"{_escape(TRACEBACK)}</error></testcase>"
                )
            else:
                out.write(f'{head}><skipped type="pytest.xfail" message="known bug" /></testcase>')
            out.write("\n")
        out.write("</testsuite></testsuites>\n")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_suite(directory: Path, tests: int, *, per_module: int = 100) -> None:
    """A suite of `tests` trivial passing tests, `per_module` per module."""
    directory.mkdir(parents=True, exist_ok=True)
    for module in range(0, tests, per_module):
        count = min(per_module, tests - module)
        body = "".join(f"def test_{module + i}():\n    assert True\n\n\n" for i in range(count))
        (directory / f"test_gen_{module // per_module:04d}.py").write_text(body, encoding="utf-8")


def median(values: Sequence[float]) -> float:
    """Median of the measurements."""
    return statistics.median(values)


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
